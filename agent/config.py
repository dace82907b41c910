"""One Settings object for the whole product: every path, model choice and credential.

Read from environment variables (`CHRONOTOPE_*`) and an optional TOML file (`CHRONOTOPE_CONFIG`, default
`./chronotope.toml`). Every path defaults under the data dir, `./.chronotope/`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.llm.options import ModelOptions, ServerOptions

# LoRA adapter for qwen2.5-coder-0.5b trained by finetune/ (see its README for data and before/after).
SHIPPED_ADAPTER = Path(__file__).resolve().parents[1] / "finetune" / "adapters" / "qwen2.5-coder-0.5b-shop"


def _config_file() -> Path:
    return Path(os.environ.get("CHRONOTOPE_CONFIG", "chronotope.toml"))


class Settings(BaseSettings):
    """Paths, models and credentials. Derived paths live under `data_dir` unless set explicitly."""

    model_config = SettingsConfigDict(env_prefix="CHRONOTOPE_", extra="forbid")

    data_dir: Path = Field(Path(".chronotope"), description="Root of all state: store, indexes, caches.")
    store_dir: Path | None = Field(
        None, description="Event store (Parquet + DuckDB); default data_dir/store."
    )
    chroma_dir: Path | None = Field(
        None, description="chromadb PersistentClient dir; default data_dir/chroma."
    )
    model_cache_dir: Path | None = Field(
        None, description="Converted model weights; default data_dir/models."
    )
    warm_cache_dir: Path | None = Field(
        None, description="The local model's warm-up results (role prompts' KV caches, compiled grammars) "
        "kept for the next start; default: data_dir/warm."
    )
    recommender_dir: Path | None = Field(
        None, description="Saved recommender models; default data_dir/recommender."
    )
    anomaly_dir: Path | None = Field(
        None, description="Fraud labels and detector state; default data_dir/anomaly."
    )
    conversations_db: Path | None = Field(
        None, description="SQLite of chats and feedback; default data_dir/app.db."
    )
    docs_dir: Path = Field(Path("data"), description="The shop's Markdown documents for the knowledge base.")
    shared_data_dir: Path = Field(Path("../shared/data"),
                                  description="Real public data sets (tests, importers).")

    model: str = Field("qwen2.5-coder-0.5b",
                       description="Named offline model, a local HF folder, or a hub id.")
    embedding_weights: Literal["int8", "fp32"] = Field(
        "int8",
        description="Text embeddings: int8 ONNX (built once into the model cache) or the float32 reference."
    )
    adapter: str | None = Field(
        None,
        description="LoRA adapter folder to apply on top of the model; default: the shipped shop adapter "
        "for the default 0.5B model (finetune/adapters/), 'none' for the bare model.",
    )
    decision_heads: bool = Field(
        True,
        description="Let the adapter's decision heads (when it has them) pick the tool, or no tool, of the "
        "first reply to a user's message; off: the model's first token decides (agent/llm/decision_head.py)."
    )
    openai_base_url: str | None = Field(
        None, description="Use an OpenAI-compatible server instead of a local model."
    )
    openai_model: str | None = Field(None, description="Model name on the OpenAI-compatible server.")
    openai_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for that server.")
    constrained_decoding: bool = Field(True,
                                       description="Decode tool arguments under each tool's JSON schema.")
    max_new_tokens: int = Field(384, ge=16, le=8192)
    llm_threads: int | None = Field(
        None, ge=1,
        description="CPU threads for the local model; default 1 on a busy machine, else all cores."
    )
    cpu_weights: Literal["int8", "fp32"] = Field(
        "int8",
        description="Weights of the local model's linear layers on the CPU: int8 (dynamic quantisation, "
        "faster decoding) or fp32 (the reference). Ignored on a GPU (bfloat16)."
    )
    agent_max_steps: int = Field(4, ge=1, le=20, description="Tool rounds per question before answering.")
    draft_answers: bool | None = Field(
        None,
        description="After tool results, let the model write the answer (checked, and replaced by the tools' "
        "own summaries when it invents or drops figures) rather than compose it from those summaries; "
        "the model then only decides whether to call another tool. Default: "
        "on with an OpenAI-compatible server, off locally.",
    )
    tool_timeout_s: float = Field(60.0, gt=0, description="Per-tool-call timeout.")

    operator_user: str = Field(
        "operator",
        description="The console's account while there is none in data_dir/secrets/operators.json.",
    )
    operator_password: SecretStr = Field(
        SecretStr("chronotope"),
        description="That account's password; the default (or none) is refused off loopback.",
    )
    customer_token_key: SecretStr | None = Field(
        None,
        description="Hex key (>= 32 bytes) the shop's backend signs customer tokens with "
        "(docs/embedding.md); default: one generated on first start in data_dir/secrets/customer-token.key.",
    )
    host: str = Field("127.0.0.1", description="Interface the apps listen on (never public by default).")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names visitors use besides loopback's and `host` (needed off loopback); requests "
        "naming any other host are refused (DNS rebinding).",
    )
    embed_origins: list[str] = Field(
        default_factory=list,
        description="The shop's origins that may frame the customer widget (CSP frame-ancestors); "
        "empty: any page.",
    )
    port: int = Field(7860, ge=1, le=65535)
    max_upload_mb: int = Field(2048, ge=1, description="The largest file the operator console accepts.")

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        # The shipped adapter was trained for the default model only; any other model runs bare.
        if self.adapter is None and self.model == "qwen2.5-coder-0.5b" and SHIPPED_ADAPTER.is_dir():
            self.adapter = str(SHIPPED_ADAPTER)
        elif self.adapter is not None and self.adapter.strip().lower() in ("", "none"):
            self.adapter = None
        if self.draft_answers is None:
            # A small local model's drafts after tool results were almost always replaced (README, agent).
            self.draft_answers = bool(self.openai_base_url)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: explicit arguments > environment > TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file()))

    def _under(self, value: Path | None, name: str) -> Path:
        return value if value is not None else self.data_dir / name

    @property
    def store_path(self) -> Path:
        return self._under(self.store_dir, "store")

    @property
    def chroma_path(self) -> Path:
        return self._under(self.chroma_dir, "chroma")

    @property
    def model_cache_path(self) -> Path:
        return self._under(self.model_cache_dir, "models")

    @property
    def warm_cache_path(self) -> Path:
        return self._under(self.warm_cache_dir, "warm")

    @property
    def recommender_path(self) -> Path:
        return self._under(self.recommender_dir, "recommender")

    @property
    def anomaly_path(self) -> Path:
        return self._under(self.anomaly_dir, "anomaly")

    @property
    def conversations_path(self) -> Path:
        return self._under(self.conversations_db, "app.db")

    @property
    def secrets_path(self) -> Path:
        """Keys and operator accounts made on first start (never in the repository)."""
        return self.data_dir / "secrets"

    @property
    def operators_path(self) -> Path:
        """The operator accounts (names and scrypt hashes), `chronotope operator add` writes them."""
        return self.secrets_path / "operators.json"

    def model_options(self) -> ModelOptions:
        """The local model these settings choose, as the LLM layer takes it."""
        return ModelOptions(
            model=self.model,
            cache_dir=self.model_cache_path,
            adapter=self.adapter,
            decision_heads=self.decision_heads,
            cpu_weights=self.cpu_weights,
            threads=self.llm_threads,
            warm_cache_dir=self.warm_cache_path,
            max_new_tokens=self.max_new_tokens,
            constrained=self.constrained_decoding,
        )

    def server_options(self) -> ServerOptions | None:
        """The OpenAI-compatible server these settings choose, as the LLM layer takes it; None without one."""
        if not self.openai_base_url:
            return None
        return ServerOptions(
            base_url=self.openai_base_url,
            model=self.openai_model,
            api_key=self.openai_api_key.get_secret_value(),
            max_tokens=self.max_new_tokens,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings(data_dir=tmp_path)` instead)."""
    return Settings()
