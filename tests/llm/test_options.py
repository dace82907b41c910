"""Settings -> the plain options the LLM layer takes (one conversion, in agent/config.py)."""

from __future__ import annotations

from agent.config import Settings
from agent.llm.options import ModelOptions, ServerOptions


def test_settings_give_the_local_models_options(tmp_path, monkeypatch):
    monkeypatch.delenv("CHRONOTOPE_WARM_CACHE_DIR", raising=False)  # the suite shares one (tests/conftest.py)
    settings = Settings(data_dir=tmp_path, model="some/model", adapter="none", decision_heads=False,
                        cpu_weights="fp32", llm_threads=2, max_new_tokens=64, constrained_decoding=False)
    assert settings.model_options() == ModelOptions(
        model="some/model", cache_dir=tmp_path / "models", adapter=None, decision_heads=False,
        cpu_weights="fp32", threads=2, warm_cache_dir=tmp_path / "warm", max_new_tokens=64,
        constrained=False,
    )
    elsewhere = Settings(data_dir=tmp_path, warm_cache_dir=tmp_path / "elsewhere")
    assert elsewhere.model_options().warm_cache_dir == tmp_path / "elsewhere"


def test_settings_choose_a_server_only_with_a_base_url_and_keep_its_key_out_of_reprs(tmp_path):
    assert Settings(data_dir=tmp_path).server_options() is None
    served = Settings(data_dir=tmp_path, openai_base_url="http://h/v1", openai_model="m",
                      openai_api_key="sk-1", max_new_tokens=64)
    assert (served.server_options()
            == ServerOptions(base_url="http://h/v1", model="m", api_key="sk-1", max_tokens=64))
    assert "sk-1" not in repr(served.server_options())
