"""A chat model on an OpenAI-compatible server, against a fake one on 127.0.0.1: tools out, tool calls
back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.config import Settings
from agent.llm.errors import ModelSourceError
from agent.llm.reply_controls import TakesReplyControls
from chronotope.wiring import chat_model

TOOL = {
    "type": "function",
    "function": {
        "name": "find_spikes",
        "description": "Regions whose orders spike on a local weekday.",
        "parameters": {"type": "object", "properties": {"day": {"type": "string"}}, "required": ["day"]},
    },
}


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions: a tool call when the last message is the user's, else text."""

    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append({"path": self.path, "body": body})
        if body["messages"][-1]["role"] == "user":
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_42",
                        "type": "function",
                        "function": {"name": "find_spikes", "arguments": '{"day": "friday"}'},
                    }
                ],
            }
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": "North-west spikes on Friday night."}, "stop"
        payload = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    FakeOpenAI.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_tool_call_round_trip_through_an_openai_compatible_server(server: str, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy from the environment must not take local calls
    model = chat_model(Settings(data_dir=tmp_path, openai_base_url=server, openai_model="qwen2.5-coder"))
    assert not isinstance(model, TakesReplyControls)  # the agent passes a server no local-only controls
    bound = model.bind_tools([TOOL])
    question = HumanMessage("Which regions spike on Friday?")
    reply = bound.invoke([question])
    assert reply.tool_calls == [
        {"name": "find_spikes", "args": {"day": "friday"}, "id": "call_42", "type": "tool_call"}
    ]

    answer = bound.invoke([question, reply, ToolMessage("north-west +240%", tool_call_id="call_42")])
    assert isinstance(answer, AIMessage) and answer.content == "North-west spikes on Friday night."

    first, second = (r["body"] for r in FakeOpenAI.requests)
    assert first["model"] == "qwen2.5-coder" and first["tools"] == [TOOL] and first["temperature"] == 0.0
    assert second["messages"][1]["tool_calls"][0]["function"] == {
        "name": "find_spikes",
        "arguments": '{"day": "friday"}',
    }
    assert second["messages"][2] == {"role": "tool", "content": "north-west +240%", "tool_call_id": "call_42"}


def test_base_url_without_model_name_says_what_to_set(tmp_path):
    with pytest.raises(ModelSourceError, match="CHRONOTOPE_OPENAI_MODEL"):
        chat_model(Settings(data_dir=tmp_path, openai_base_url="http://127.0.0.1:1/v1"))


def test_answers_are_drafted_by_a_server_model_and_composed_locally_unless_set(tmp_path):
    assert Settings(data_dir=tmp_path).draft_answers is False
    served = Settings(data_dir=tmp_path, openai_base_url="http://127.0.0.1:8000/v1", openai_model="m")
    assert served.draft_answers is True
    assert Settings(data_dir=tmp_path, draft_answers=True).draft_answers is True
