"""One Settings object: defaults, overridden by an optional wenyuan.toml, overridden by WENYUAN_* variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from wenyuan import weights

DEFAULT_EMBEDDER = "use-multilingual-v3"


class Settings(BaseSettings):
    """Everything Wenyuan can be configured with. Nothing here touches disk or network when created."""

    model_config = SettingsConfigDict(
        env_prefix="WENYUAN_", toml_file="wenyuan.toml", extra="ignore", frozen=True
    )

    data_dir: Path = Field(Path("data"), description="Folder of source documents indexed by default.")
    index_dir: Path = Field(Path("index"), description="Folder holding the built index.")

    embedder: str = Field(
        DEFAULT_EMBEDDER,
        description=(
            "Dense embedding model: 'use-multilingual-v3' (bundled, numpy only) or any sentence-transformers model "
            "given as a local folder or a model name already in the local cache, e.g. 'BAAI/bge-small-zh-v1.5'."
        ),
    )
    embedder_query_prefix: str | None = Field(
        None,
        description="Text put before queries for models trained with one (bge-zh: '为这个句子生成表示以用于检索相关文章：'). "
        "None picks the known prefix for the model name, if any.",
    )
    embed_batch_size: int = Field(64, description="Texts per embedder call while indexing.")
    embed_workers: int = Field(
        2, ge=1, le=64,
        description="Processes that embed a build's passages (when it has at least two batches for each), each with "
        "its own model and cpu_count / workers threads. On 2 cores, 2 processes of 1 thread embed 35 % faster than "
        "1 process of 2 (benchmarks/bench_embed.py); each holds a copy of the model while the build runs.",
    )

    chunk_size: int = Field(300, ge=80, description="Target chunk length in characters.")
    chunk_overlap: int = Field(50, ge=0, description="Characters of whole sentences repeated between split chunks.")

    lexical_tokens: Literal["words", "bigrams", "words+bigrams"] = Field(
        "words", description="What BM25 counts: jieba words, character bigrams, or both."
    )
    dense_weight: float | None = Field(
        None,
        ge=0.0,
        description="Weight of the dense path in the fused score (BM25 has weight 1). None follows the embedder: "
        "low for the bundled USE model, higher for strong sentence-transformers models.",
    )
    candidates: int = Field(50, ge=5, description="Dense candidates before fusion (BM25 and the cards score every chunk).")
    store: Literal["embedded", "milvus"] = Field(
        "embedded", description="Where passages are searched: 'embedded' (FAISS and term counts in the index folder) "
                                "or 'milvus' (Milvus Lite in a local file, or a Milvus server; the `milvus` extra).")
    milvus_uri: str | None = Field(
        None, description="Milvus Lite file (default: <index folder>/milvus.db) or a server, http://host:19530.")
    milvus_token: str | None = Field(None, description="Token for a Milvus server that wants one (user:password).")
    milvus_collection: str = Field("wenyuan", description="The Milvus collection of this knowledge base.")
    hnsw_threshold: int = Field(
        50_000, description="Above this many chunks FAISS uses an approximate HNSW index instead of exact search."
    )

    top_k: int = Field(5, ge=1, description="Passages used to answer and shown as sources.")
    min_coverage: float = Field(
        weights.MIN_COVERAGE,
        ge=0.0,
        le=1.0,
        description="Share of the question's weighted key terms a passage must cover to be answered from; "
        "below it the assistant says the documents do not contain the answer (calibrated in benchmarks/).",
    )
    max_file_mb: float = Field(50.0, description="Larger files are skipped when indexing and refused on upload.")
    encoding: str | None = Field(
        None,
        description="Encoding of plain-text files (e.g. big5, gb18030), when detection gets it wrong; by default it "
        "is detected and checked to give plausible Chinese text.",
    )

    answerer: Literal["extractive", "llm"] = Field(
        "extractive",
        description="'extractive' (default, no LLM: the documents' own sentences) or 'llm' (an OpenAI-compatible "
        "endpoint writes the answer from the retrieved passages; its citations are checked).",
    )
    llm_base_url: str = Field(
        "http://127.0.0.1:8000/v1", description="OpenAI-compatible API base (vLLM, Ollama's /v1, Xinference)."
    )
    llm_model: str = Field("qwen2.5-7b-instruct", description="Model name the endpoint serves.")
    llm_api_key: str | None = Field(None, description="Bearer token for the endpoint, if it needs one.")
    question_log: Path | None = Field(
        Path("logs/questions.jsonl"),
        description="Where the web app records each question answered (time, route, question, answer mode, documents "
        "cited, latency) and each rating of an answer, rotated at 10 MB; exported as CSV from the documents page. "
        "Empty: not recorded (and answers cannot be rated).",
    )
    questions_per_minute: int = Field(
        120, description="Questions one client (widget key, else address) may ask per minute through the APIs (REST "
        "and Gradio's); more get HTTP 429 with Retry-After. 0: no limit.",
    )
    max_question_chars: int = Field(2000, description="Longer questions are refused on every route (REST, Gradio API, chat, widget).")
    llm_connect_timeout: float = Field(3.0, description="Seconds to connect to the LLM endpoint; a down endpoint is known at once.")
    llm_failures: int = Field(3, description="LLM failures in a row after which the endpoint is skipped for a while.")
    llm_cooldown: float = Field(60.0, description="Seconds the LLM endpoint is skipped after repeated failures.")
    llm_unverified: Literal["drop", "mark"] = Field(
        "drop", description="What happens to an LLM sentence no passage holds: 'drop' it (default) or 'mark' it "
                            "未核实 and show it without a citation.")
    llm_timeout: float = Field(60.0, description="Seconds the whole LLM reply may take (streamed or not); then the extractive answer is given.")

    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(7860, description="Port the web app listens on.")
    admin_token: str | None = Field(
        None,
        description="Password for the documents page at /admin and its API (upload, delete, rebuild). None leaves "
        "administration open, with a warning in the log and on the page.",
    )
    knowledge_bases: str | None = Field(
        None, description="Several knowledge bases, each its own documents, index and chat at /kb/<name>/: 'folders' "
                          "(every folder under data_dir is one) or 'name=folder;name2=folder2'. None: one, as data_dir.")
    kb_groups: str | None = Field(
        None, description="Who may use which knowledge base: 'name=group1|group2;name2=group3', the groups as the "
                          "intranet's authenticating proxy sends them in group_header; a base not named is open.")
    group_header: str = Field(
        "X-Forwarded-Groups", description="Request header in which the authenticating proxy names the user's groups "
                                          "(comma-separated).")
    kb_admin_tokens: str | None = Field(
        None, description="An admin token per knowledge base: 'name=token;name2=token2' (admin_token for the others).")
    file_seconds: float = Field(
        900.0, description="Seconds one file may take to be read, structured and chunked (OCR included) while "
        "indexing; a file over it is skipped with the reason. 0 reads in the indexing process, without budgets.")
    file_memory_mb: float = Field(
        2048.0, description="Memory (MB, resident) reading one file may take; a file over it is skipped.")
    secure_cookies: bool = Field(
        False, description="Send the admin session cookie over HTTPS only: set it when a TLS proxy serves the app.")
    progress: bool = Field(True, description="Show progress bars while indexing.")

    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins of intranet pages allowed to embed the chat and call its API from the browser, e.g. "
        "'http://portal.intranet'. Empty: only the app's own origin.",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the app answers to (the intranet name users type, e.g. 'wenyuan.intranet'), against "
        "DNS rebinding. Empty: loopback names when listening on loopback, else any (a proxy in front names it).",
    )
    widget_keys_file: Path | None = Field(
        None,
        description="File of widget keys, one per line, re-read when it changes (rotate keys without a restart). "
        "A widget key only allows asking questions.",
    )
    widget_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Widget keys given directly (no rotation)."
    )

    @field_validator("allowed_origins", "allowed_hosts", "widget_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Lists may be given as JSON or as comma-separated text in environment variables."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def resolved_dense_weight(self) -> float:
        """The dense path's weight: the configured one, or the measured default for this embedder."""
        if self.dense_weight is not None:
            return self.dense_weight
        return 0.5 if self.embedder == DEFAULT_EMBEDDER else 1.0
