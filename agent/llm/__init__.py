"""The LLM runtime: local models with real tool calling, or an OpenAI-compatible server.

Entry points (import them from their modules; this package imports nothing heavy):

- `agent.llm.options`: `ModelOptions` (a local model), `ServerOptions` (a server): what the layer is told
  to run.
- `agent.llm.chat_model.LocalChatModel.from_options(options)`: local model with `bind_tools`, streaming,
  grammar-constrained calls.
- `agent.llm.openai_server.server_chat_model(options)`: `ChatOpenAI` on an OpenAI-compatible server.
- `agent.llm.reply_controls.ReplyControls`: per-reply controls of a local model (`invoke(..., controls=...)`).
- `agent.llm.load.get_runtime(options)`: the shared loaded model (one per process, generation serialized).
- `agent.llm.sources.prepare_model(name, cache_dir)`: join, verify and convert a named offline model once.
- `agent.llm.tool_parsing.parse_tool_calls(text, names)`: tool calls out of reply text (pure).
- `agent.llm.wire_format`: Qwen2.5's markup (tool-call tags, turn markers, chat template) and pure helpers.
- `agent.llm.tool_schema`: OpenAI-style tool schemas, `tool_choice` modes, `argument_errors` (jsonschema).
- `agent.llm.schema_check.check_tool_schemas(tools)`: schemas the call grammar cannot enforce, refused.
- `agent.llm.unseen_tools`: replies with tools the adapter never saw come from the bare model.
"""
