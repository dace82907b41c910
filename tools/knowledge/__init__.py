"""The knowledge base: the shop's documents and products in chromadb, searchable with citations.

    kb = KnowledgeBase(chroma_dir, TextEmbedder(model_cache_dir), docs_dir=Path("data"))
    kb.index()                                   # data/*.md -> chunks -> chromadb + BM25 (idempotent)
    result = kb.search("can I return opened earbuds?", k=5, filters={"audience": "customer", "flagged": "no"})
    result.hits[0].citation, result.hits[0].text  # "[returns-and-refunds#opened-items]", verbatim passage
    KnowledgeBase(..., translate=translator)       # a German question is searched in English too
    quoting.choose_quote(question, result.hits, embedder)  # the hit and the sentences an answer quotes
    kb.index_products(store); kb.search_products("waterproof boots", max_price=150, in_stock=True)
"""

from tools.knowledge.documents import AUDIENCES, CUSTOMER, INTERNAL
from tools.knowledge.errors import DocumentError, IndexNotBuilt, InvalidQuery, KnowledgeBaseError
from tools.knowledge.index import IndexReport
from tools.knowledge.knowledge_base import KnowledgeBase
from tools.knowledge.planted import FlaggedPassage
from tools.knowledge.products import ProductSearchResult
from tools.knowledge.retrieval import FILTER_KEYS, SEARCH_MODES, Hit, SearchMode, SearchResult
from tools.knowledge.status import IndexOutdated, KnowledgeStatus
from tools.knowledge.translation import QueryTranslator, SearchQueries

__all__ = [
    "AUDIENCES",
    "CUSTOMER",
    "FILTER_KEYS",
    "INTERNAL",
    "SEARCH_MODES",
    "DocumentError",
    "FlaggedPassage",
    "Hit",
    "IndexNotBuilt",
    "IndexOutdated",
    "IndexReport",
    "InvalidQuery",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeStatus",
    "ProductSearchResult",
    "QueryTranslator",
    "SearchMode",
    "SearchQueries",
    "SearchResult",
]
