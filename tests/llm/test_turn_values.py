"""A call takes the shop's places and categories that the conversation mentions, never one nobody said."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.chat_model import LocalChatModel
from agent.llm.mentions import Mentions, conversation_mentions
from agent.llm.reply_controls import ReplyControls
from agent.llm.template import render_prompt
from agent.llm.tool_schema import ToolChoice, grammar_schema
from agent.llm.turn_values import narrowed_tools
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile
from tools.language import mentioned
from tools.registry import SHOP_SET

QUESTION = "Forecast next week's demand for the region that spikes most on Friday night"
RESULT = ("Tuscany: Friday-night orders 2.7x its baseline (z=5.1, 26 orders); then Greater London 2.6x "
          "(z=7.1, 52), Hamburg 2.5x (z=5.1, 29) [all data to 2026-12-05; 33 of 35 regions].")
SPIKES = {"day": "Friday", "start_hour": 20, "end_hour": 24}


def operator_tools() -> list[dict]:
    return build_registry(None, profile=demo_profile()).schemas("operator")


def after_result(question: str = QUESTION, result: str = RESULT) -> list:
    return [SystemMessage("You are the shop's analyst."), HumanMessage(question),
            AIMessage("", tool_calls=[{"name": "find_spikes", "args": SPIKES, "id": "c1"}]),
            ToolMessage(result, tool_call_id="c1", name="find_spikes")]


def properties(tools: list[dict], name: str) -> dict:
    (tool,) = [t for t in tools if t["function"]["name"] == name]
    return grammar_schema(tool["function"]["parameters"])["properties"]


def test_the_current_turn_starts_at_the_last_user_message() -> None:
    first = conversation_mentions([SystemMessage("s"), HumanMessage("Which regions spike?")])
    assert first == Mentions("Which regions spike?", "", "Which regions spike?", "")
    later = conversation_mentions([*after_result(), AIMessage("Tuscany."), HumanMessage("And last week?")])
    assert later.current == "And last week?" and "Tuscany" in later.earlier and QUESTION in later.earlier
    assert later.asked == "And last week?" and later.asked_before == QUESTION  # the user's words alone
    now = conversation_mentions(after_result())
    assert QUESTION in now.current and "Tuscany" in now.current and "analyst" not in now.current + now.earlier
    assert now.asked == QUESTION


def test_a_name_the_first_call_wrote_counts_where_the_question_gives_it_in_another_language() -> None:
    question = "Welche Kategorie verkauft sich in Bayern am besten? Prognostiziere sie."
    messages = [HumanMessage(question),
                AIMessage("", tool_calls=[{"name": "top_items", "id": "c1",
                                           "args": {"group_by": "category", "place": "Bavaria"}}]),
                ToolMessage("Revenue by category: Headphones 1,896.19; Shoes 1,200.00", tool_call_id="c1")]
    props = properties(narrowed_tools(operator_tools(), conversation_mentions(messages)), "forecast_demand")
    assert props["place"]["anyOf"][0]["enum"] == ["Bavaria"]
    assert props["category"]["anyOf"][0]["enum"] == ["Headphones", "Shoes"]


def test_names_count_as_whole_words_in_any_case() -> None:
    names = ["London", "Hamburg", "Bath", "Greater London", "Home Audio"]
    assert mentioned(names, "home audio sells; then greater london, HAMBURG") == [
        "Home Audio", "Greater London", "Hamburg"]  # in the order mentioned; London only inside a longer name
    assert mentioned(names, "Bathroom scales in Hamburger") == []
    assert mentioned(names, "London, not Greater London") == ["London", "Greater London"]


def test_names_count_without_accents_in_the_singular_and_with_one_typo_in_a_long_word() -> None:
    names = ["Baden-Wurttemberg", "Bavaria", "Ile-de-France", "Bath", "Occitanie", "Wales", "Paris", "Boots"]
    assert mentioned(names, "Umsatz in Baden-Württemberg und Île-de-France") == [
        "Baden-Wurttemberg", "Ile-de-France"]
    assert mentioned(names, "orders in Bavria and Ocictanie") == ["Bavaria", "Occitanie"]  # a typo, a swap
    assert mentioned(names, "boot sales") == ["Boots"]
    assert mentioned(names, "sales of pairs in a bathroom") == []  # one letter off, but short words
    assert mentioned(["Essex", "Essen"], "Essex, then Essen") == ["Essex", "Essen"]  # each its own


def test_an_acronym_counts_only_in_capitals() -> None:
    names = ["UK", "OR", "Oregon", "NRW"]
    assert mentioned(names, "orders in the uk or in Oregon") == ["Oregon"]  # "or" is a word, not Oregon
    assert mentioned(names, "UK and OR sales, then NRW") == ["UK", "OR", "NRW"]


def test_a_mentioned_shop_set_takes_one_of_its_names_and_an_unmentioned_one_is_left_out() -> None:
    tools = operator_tools()
    narrowed = narrowed_tools(tools, Mentions(f"{QUESTION}\n{RESULT}"))
    (forecast,) = [t["function"]["parameters"] for t in narrowed
                   if t["function"]["name"] == "forecast_demand"]
    assert "place" in forecast["required"] and "category" not in forecast.get("required", [])
    props = properties(narrowed, "forecast_demand")
    (place,) = props["place"]["anyOf"]  # given, and one of the names found
    assert place["enum"] == ["Tuscany", "Greater London", "Hamburg"]
    assert props["category"]["anyOf"] == [{"type": "null"}]  # no category is mentioned: none is set
    assert props["product"] == properties(tools, "forecast_demand")["product"]  # a free string stays free
    # closed sets of the tool's own (days, metrics) are not the shop's: "Friday" narrows nothing
    assert properties(narrowed, "find_spikes")["day"] == properties(tools, "find_spikes")["day"]


def test_the_prompt_never_shows_the_shop_set_mark(tiny_runtime) -> None:
    tools = operator_tools()
    assert SHOP_SET in str(tools)
    prompt = render_prompt(tiny_runtime.tokenizer, after_result(), tools)
    assert SHOP_SET not in prompt and "forecast_demand" in prompt


def call_accepted(runtime, mentions: Mentions, tool: str):
    """Whether the grammar of a forced call to `tool`, narrowed to `mentions`, takes these arguments."""
    import xgrammar as xgr

    narrowed = narrowed_tools(operator_tools(), mentions)
    grammar = runtime.grammars.compile(narrowed, ToolChoice("forced", tool), per_turn=True)

    def accepts(arguments: str) -> bool:
        call = '<tool_call>\n{"name": "' + tool + '", "arguments": ' + arguments + "}\n</tool_call>"
        matcher = xgr.GrammarMatcher(grammar)
        return matcher.accept_string(call) and matcher.accept_token(runtime.stop_token_ids[0])

    return accepts


def test_a_narrowed_grammar_takes_a_found_place_and_nothing_else(tiny_runtime) -> None:
    accepts = call_accepted(tiny_runtime, Mentions(RESULT), "forecast_demand")
    assert accepts('{"place": "Tuscany"}')
    assert accepts('{"category": null, "place": "Hamburg", "horizon_days": 7}')
    assert not accepts('{"place": "Bavaria"}') and not accepts('{"category": "Shoes", "place": "Tuscany"}')
    assert not accepts('{"place": null}') and not accepts("{}")  # the place found must be given


def test_every_reply_gets_the_grammar_of_the_names_its_conversation_gives(tiny_runtime, monkeypatch) -> None:
    tools = operator_tools()
    grammars = tiny_runtime.grammars
    seen: list[tuple[list[dict], bool]] = []
    original = grammars.for_reply

    def spy(bound, choice, head=None, per_turn=False):
        seen.append((bound, per_turn))
        return original(bound, choice, head, per_turn)

    monkeypatch.setattr(grammars, "for_reply", spy)
    chat = LocalChatModel(runtime=tiny_runtime, max_new_tokens=4).bind_tools(tools)
    chat.invoke([SystemMessage("s"), HumanMessage("top regions by revenue all time")])
    chat.invoke([SystemMessage("s"), HumanMessage(f"{QUESTION} in Tuscany")])
    chat.invoke(after_result(), controls=ReplyControls(calls_only=True))
    (unnamed, unnamed_per_turn), (named, _), (after, after_per_turn) = seen
    assert properties(unnamed, "top_items")["place"]["anyOf"] == [{"type": "null"}]  # no place was said
    assert unnamed_per_turn and after_per_turn
    assert properties(named, "forecast_demand")["place"]["anyOf"][0]["enum"] == ["Tuscany"]
    assert properties(after, "forecast_demand")["place"]["anyOf"][0]["enum"] == [
        "Tuscany", "Greater London", "Hamburg"]


def test_a_follow_up_takes_the_place_of_the_turn_it_leans_on_unless_it_groups_by_place() -> None:
    asked = [HumanMessage("orders in Bavaria this week"), AIMessage("41 orders.")]
    for follow_up, carried in (("and last week?", True), ("and which region led last week?", False)):
        narrowed = narrowed_tools(operator_tools(), conversation_mentions([*asked, HumanMessage(follow_up)]))
        (top,) = [t["function"]["parameters"] for t in narrowed if t["function"]["name"] == "top_items"]
        assert ("place" in top.get("required", [])) == carried, follow_up
        place = properties(narrowed, "top_items")["place"]["anyOf"]
        assert ({"type": "null"} not in place) == carried and [o["enum"] for o in place if "enum" in o] == [
            ["Bavaria"]]


def test_per_turn_grammars_stay_off_the_disk(tiny_runtime, tmp_path) -> None:
    from agent.llm.constrained import ToolGrammars
    from agent.llm.warm_start import WarmStore

    store = WarmStore(tmp_path, "f" * 16)
    vocab = tiny_runtime.model.get_output_embeddings().weight.shape[0]
    grammars = ToolGrammars(tiny_runtime.tokenizer, vocab, tiny_runtime.stop_token_ids, store)
    tools = operator_tools()
    forced = ToolChoice("forced", "forecast_demand")
    grammars.compile(narrowed_tools(tools, Mentions(RESULT)), forced, per_turn=True)
    assert not list(tmp_path.rglob("grammar-*"))
    grammars.compile(tools, forced)
    assert len(list(tmp_path.rglob("grammar-*"))) == 1  # a lasting grammar is kept for the next process


def test_a_place_named_in_the_users_language_counts_as_the_shops_name() -> None:
    german = narrowed_tools(operator_tools(), Mentions("Umsatz in Bayern und München letzte Woche"))
    assert properties(german, "top_items")["place"]["anyOf"][0]["enum"] == ["Bavaria", "Munich"]
    assert "x-shop-aliases" not in str(grammar_schema(german[0]["function"]["parameters"]))
    from tools.events.profile import Place, ShopProfile

    second = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York", code="US", aliases=("USA", "EEUU")),
        Place("region", "New York", "US", "America/New_York", aliases=("NY",))))
    tools = build_registry(None, profile=second).schemas("operator")
    spanish = narrowed_tools(tools, Mentions("¿Cuántos pedidos en EEUU este mes?"))
    assert properties(spanish, "top_items")["place"]["anyOf"][0]["enum"] == ["United States"]


def choices(question: str, tool: str = "top_items", earlier: str = "") -> tuple[dict, list[str]]:
    """The grammar's properties of `tool` and its required ones when the user asks `question` (after
    `earlier`)."""
    narrowed = narrowed_tools(operator_tools(), Mentions(question, earlier, question, earlier))
    (params,) = [t["function"]["parameters"] for t in narrowed if t["function"]["name"] == tool]
    return properties(narrowed, tool), params.get("required", [])


def test_the_users_words_name_the_tools_choices_in_the_shops_five_languages() -> None:
    asked = {
        "Bestellungen Bavaria letzte 7 Tage": {"metric": ["orders"], "period": ["last_7_days"]},
        "commandes Ile-de-France aujourd'hui": {"metric": ["orders"], "period": ["today"]},
        "¿Qué ciudad tuvo más ingresos desde que abrimos?": {
            "metric": ["revenue"], "group_by": ["city"], "period": ["all_time"]},
        "fatturato per categoria questo mese": {
            "metric": ["revenue"], "group_by": ["category"], "period": ["this_month"]},
        "An welchem Wochentag verkaufen wir die meisten Einheiten?": {
            "metric": ["units"], "group_by": ["day_of_week"]},
        "average order value by country over the last 90 days": {
            "metric": ["average_order_value"], "group_by": ["country"], "period": ["last_90_days"]},
    }
    for question, named in asked.items():
        props, required = choices(question)
        for name, values in named.items():
            assert props[name]["enum"] == values, (question, name)
            assert name in required, (question, name)
        for name in {"metric", "group_by", "period"} - set(named):  # not named: the tool's whole list
            assert props[name] == properties(operator_tools(), "top_items")[name], (question, name)


def test_choices_of_other_tools_follow_the_same_words() -> None:
    spikes, required = choices("Welche Städte legen am Freitagabend zu?", "find_spikes")
    assert spikes["day"]["enum"] == ["Friday"] and spikes["group_by"]["enum"] == ["city"]
    assert {"day", "group_by"} <= set(required)
    change, _ = choices("Which region dropped most compared to last week?", "compare_periods")
    assert change["order"]["enum"] == ["biggest_drop"] and change["comparison"]["enum"] == ["week_over_week"]
    lost, _ = choices("¿Qué ciudad perdió más ventas que la semana anterior?", "compare_periods")
    assert lost["order"]["enum"] == ["biggest_drop"]
    fraud, _ = choices("any fraud this week?", "detect_fraud")
    assert fraud["since"]["enum"] == ["7d"]
    weekend, _ = choices("Spitzen am Wochenende?", "find_spikes")
    assert weekend["day"]["enum"] == ["Saturday", "Sunday"]  # either may be written
    for question, kind in (("Could you check whether reviews show a complaint wave lately?", "complaints"),
                           ("¿Hubo quejas de clientes este mes?", "complaints"),
                           ("Gab es in den letzten 7 Tagen einen Ausfall?", "volume")):
        anomalies, required = choices(question, "detect_anomalies")
        assert anomalies["kind"]["enum"] == [kind] and "kind" in required, question


def test_a_longer_phrase_and_a_place_name_are_not_read_as_the_words_inside_them() -> None:
    props, _ = choices("What is the average order value in the United Kingdom?")
    assert props["metric"]["enum"] == ["average_order_value"]  # not orders; "United" is not French "unités"
    props, _ = choices("revenue compared to last week")
    assert props["period"] == properties(operator_tools(), "top_items")["period"]  # a comparison, no window


def test_a_weak_word_counts_only_where_nothing_else_names_the_choice() -> None:
    assert choices("Umsatz insgesamt")[0]["period"]["enum"] == ["all_time"]
    assert choices("Umsatz insgesamt letzte Woche")[0]["period"]["enum"] == ["last_week"]
    assert choices("ventas por región")[0]["metric"]["enum"] == ["revenue"]
    assert choices("ventas en unidades por región")[0]["metric"]["enum"] == ["units"]


def test_a_word_of_another_language_counts_only_in_a_text_of_its_own() -> None:
    assert choices("Combien de ventes hier ?")[0]["period"]["enum"] == ["yesterday"]  # French: yesterday
    german, _ = choices("Was ist hier los mit den Bestellungen?")  # German: here
    assert german["period"] == properties(operator_tools(), "top_items")["period"]


def test_a_choice_named_only_in_a_tool_result_or_an_earlier_turn_is_not_required() -> None:
    props, required = choices("", earlier="")  # nothing asked: no choice narrowed
    whole = properties(operator_tools(), "top_items")
    assert all(props[name] == whole[name] for name in ("metric", "group_by", "period")) and not required
    unasked = narrowed_tools(operator_tools(), Mentions(f"{QUESTION}\n{RESULT}", "", QUESTION, ""))
    whole_spikes = properties(operator_tools(), "find_spikes")
    assert properties(unasked, "find_spikes")["metric"] == whole_spikes["metric"]  # "orders": only in results
    earlier = "Combien d'unités vendues à Lyon cette semaine ?"
    alone, required = choices("Now the whole picture for every region, whatever it says?", earlier=earlier)
    assert alone["period"]["enum"] == ["this_week"] and alone["metric"]["enum"] == ["units"]
    assert "period" not in required and "metric" not in required  # a question on its own may leave them
    _, required = choices("And now the whole picture for every region, whatever it says?", earlier=earlier)
    assert "period" in required and "metric" in required  # a follow-up keeps them, however long


def test_a_grammar_of_named_choices_takes_them_and_nothing_else(tiny_runtime) -> None:
    question = "Bestellungen in Bayern, letzte 7 Tage"
    accepts = call_accepted(tiny_runtime, Mentions(question, "", question, ""), "top_items")
    assert accepts('{"metric": "orders", "place": "Bavaria", "period": "last_7_days"}')
    assert not accepts('{"metric": "revenue", "place": "Bavaria", "period": "last_7_days"}')
    assert not accepts('{"metric": "orders", "place": "Bavaria", "period": "last_30_days"}')
    assert not accepts('{"metric": "orders", "place": "Bavaria"}')  # named: it must be given


def test_a_day_count_takes_the_span_the_user_asks_for(tiny_runtime) -> None:

    props, required = choices("Previsión de Cycling en Andalusia para las próximas dos semanas",
                              "forecast_demand")
    assert props["horizon_days"]["enum"] == [14] and "horizon_days" in required
    props, required = choices("Forecast Cycling in Andalusia", "forecast_demand")
    assert "enum" not in props["horizon_days"] and "horizon_days" not in required  # none said: any
    question = "forecast tents in Bavaria for the next 2 weeks"  # a tent is camping gear (the profile)
    accepts = call_accepted(tiny_runtime, Mentions(question, "", question, ""), "forecast_demand")
    assert accepts('{"category": "Camping Gear", "place": "Bavaria", "horizon_days": 14}')
    assert not accepts('{"category": "Camping Gear", "place": "Bavaria", "horizon_days": 28}')
    assert not accepts('{"place": "Bavaria", "horizon_days": 14}')  # the category named must be given


def test_a_place_the_shop_does_not_have_is_the_only_place_a_call_may_name() -> None:
    """Left out, the call would answer for everywhere as if it were the place asked about; given, the tool
    says the shop has no such place and names those it has."""
    props, required = choices("What was our revenue in Tokyo last month?")
    assert props["place"]["anyOf"] == [{**props["place"]["anyOf"][0], "enum": ["Tokyo"]}]
    assert "place" in required
    spanish, _ = choices("¿Cuántos pedidos tuvimos en Buenos Aires el mes pasado?")
    assert spanish["place"]["anyOf"][0]["enum"] == ["Buenos Aires"]
    for known in ("revenue in Bavaria last month", "orders in Camping Gear in January", "revenue in EUR",
                  "Umsatz in Summe letzte Woche", "top products in Shoes"):
        props, _ = choices(known)
        assert all(o.get("enum") != ["Tokyo"] for o in props["place"]["anyOf"]), known
    assert choices("revenue in Bavaria last month")[0]["place"]["anyOf"][0]["enum"] == ["Bavaria"]
    assert choices("orders in January")[0]["place"]["anyOf"] == [{"type": "null"}]  # a month, no place


def test_a_failed_call_listing_the_shops_places_does_not_turn_the_unknown_place_into_one_of_them() -> None:
    question = "What was our revenue in Tokyo last month?"
    error = ("Error executing tool 'top_items' with arguments {\"place\": \"Tokyo\"}: "
             "Unknown region 'Tokyo'. Known regions: Bavaria, Tuscany, Greater London. "
             "Please fix the arguments or use another tool.")
    messages = [HumanMessage(question), AIMessage("", tool_calls=[{"name": "top_items", "id": "c1",
                                                                   "args": {"place": "Tokyo"}}]),
                ToolMessage(error, tool_call_id="c1")]
    narrowed = narrowed_tools(operator_tools(), conversation_mentions(messages))
    assert properties(narrowed, "top_items")["place"]["anyOf"][0]["enum"] == ["Tokyo"]


def test_an_unfamiliar_place_is_one_the_second_shop_does_not_have_either() -> None:
    from tools.events.profile import Place, ShopProfile

    shop = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York", code="US"),
        Place("region", "Oregon", "US", "America/Los_Angeles")))
    tools = build_registry(None, profile=shop).schemas("operator")
    for question, place in (("orders in Madrid this week", ["Madrid"]),
                            ("orders in Oregon this week", ["Oregon"])):
        narrowed = narrowed_tools(tools, Mentions(question, "", question, ""))
        assert properties(narrowed, "top_items")["place"]["anyOf"][0]["enum"] == place


def test_an_unfamiliar_place_keeps_its_hyphens_and_a_code_is_no_place() -> None:
    from agent.llm.turn_values import unfamiliar_places

    known = ["Ile-de-France", "North Rhine-Westphalia", "Bavaria"]
    assert unfamiliar_places("ventes à Aix-en-Provence", lambda: known) == ("Aix-en-Provence",)
    assert unfamiliar_places("E per quanto riguarda in Ile-de-France?", lambda: known) == ()
    assert unfamiliar_places("chiffre d'affaires en North Rhine-Westphalia", lambda: known) == ()
    assert unfamiliar_places("revenue in EUR, in Q4", lambda: known) == ()


def test_a_choice_word_counts_as_written_a_place_one_letter_from_it_is_no_choice() -> None:
    """"Western" is one letter from German "gestern" (yesterday): choice words take no typos."""
    props, _ = choices("Which weekday brings the most orders in Western Australia?")
    assert props["period"] == properties(operator_tools(), "top_items")["period"]
    assert props["group_by"]["enum"] == ["day_of_week"]


def test_a_month_the_user_names_is_the_period_and_no_month_is_in_the_prompt() -> None:
    from agent.llm.tool_schema import prompt_tools

    props, required = choices("Quel est le chiffre d'affaires à Bordeaux en mars ?")
    assert props["period"]["enum"] == ["march"] and "period" in required
    props, _ = choices("Umsatz im Mai in Bayern")
    assert props["period"]["enum"] == ["may"]
    props, _ = choices("May I see revenue by region?")  # a verb, not the month
    assert "may" not in props["period"].get("enum", []) or len(props["period"]["enum"]) > 1
    (top,) = [t for t in prompt_tools(operator_tools()) if t["function"]["name"] == "top_items"]
    assert "march" not in str(top) and "last_30_days" in str(top)
    assert "march" in properties(operator_tools(), "top_items")["period"]["enum"]  # the grammar takes it


def test_a_price_cap_the_user_gives_is_the_max_price_in_any_language() -> None:
    from agent.llm.price_caps import price_caps
    from tools.events.profile import ShopProfile

    for question, cap in (("need a cheap tent fr, like under 150", 150), ("Kopfhörer unter 50 Euro", 50),
                          ("Je cherche une poêle à moins de 60 euros.", 60), ("cuffie sotto i 40 euro", 40),
                          ("Busco una cafetera por menos de 100 €", 100), ("under €99.50", 99.5)):
        assert price_caps(question) == (cap,), question
    assert price_caps("shoes up to 30% off") == () and price_caps("Versand bis 5 kg?") == ()
    usd = build_registry(None, profile=ShopProfile(currency="USD", categories=("Tents", "Packs"))).schemas(
        "customer")
    for tools in (build_registry(None, profile=demo_profile()).schemas("customer"), usd):
        question = "a tent under 150"
        narrowed = narrowed_tools(tools, Mentions(question, "", question, ""))
        (search,) = [t["function"]["parameters"] for t in narrowed
                     if t["function"]["name"] == "search_products"]
        assert search["properties"]["max_price"]["enum"] == [150] and "max_price" in search["required"]
        other = narrowed_tools(tools, Mentions("a tent", "", "a tent", ""))
        (free,) = [t["function"]["parameters"] for t in other if t["function"]["name"] == "search_products"]
        assert free["properties"]["max_price"] == {"type": "null"}  # no cap said: none made up


def test_a_short_follow_up_keeps_the_choices_of_the_turn_before_and_a_long_one_may_drop_them() -> None:
    props, required = choices("E di Mumbai?", earlier="Fatturato di Brooklyn negli ultimi 7 giorni?")
    assert props["period"]["enum"] == ["last_7_days"] and {"period", "metric"} <= set(required)
    props, required = choices("E per il mese scorso?", earlier="Fatturato di Brooklyn negli ultimi 7 giorni?")
    assert props["period"]["enum"] == ["last_month"] and "period" in required  # its own choice wins
    follow, required = choices("Et à Marseille ?", earlier="Combien d'unités vendues à Lyon cette semaine ?")
    assert follow["period"]["enum"] == ["this_week"] and {"period", "metric"} <= set(required)
