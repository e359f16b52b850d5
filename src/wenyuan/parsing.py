"""One file read, structured and chunked in a child process, within a time and a memory budget.

A pathological file (a converter that hangs, a PDF whose parser loops, a document that blows up in memory) must not
hold the only rebuild slot or take the server's memory: the child is killed when the file passes its budget, the
file is skipped with the reason, and the next file gets a fresh child. The child starts its own session, so what it
started (LibreOffice, a converter) is killed with it. Results come back pickled over a socket pair between our own
two processes; nothing read from disk is ever unpickled.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from wenyuan.chunking import Structure, build_structure, chunk_document
from wenyuan.ingest import IngestError, SourceFile, load
from wenyuan.types import Chunk, Document

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
_POLL = 0.2  # seconds between looks at the child's memory
_START_SECONDS = 120  # for a child to start and import the readers, on a loaded machine


class ParserUnavailable(RuntimeError):
    """The child process cannot start: no file can be read, so the build stops (the index in use stays)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    document: Document
    structure: Structure
    chunks: list[Chunk]


@dataclass(frozen=True, slots=True)
class Budget:
    """What one file may take; 0 seconds reads in this process, without a budget."""

    seconds: float
    memory_mb: float
    encoding: str | None
    chunk_size: int
    chunk_overlap: int


def parse(source: SourceFile, raw: bytes, sha: str, budget: Budget, progress: Progress | None = None) -> Parsed:
    """Read, structure and chunk one file here; raises IngestError for a file that cannot be used."""
    document = load(source, sha256=sha, progress=progress, encoding=budget.encoding, raw=raw)
    structure = build_structure(document)
    return Parsed(document, structure, chunk_document(document, structure, budget.chunk_size, budget.chunk_overlap))


def _serve(connection: Connection) -> None:
    """The child: parses what it is sent, one file at a time, until the pipe closes."""
    connection.send(("ready",))  # imports done: a file's budget starts when it is sent
    while True:
        try:
            source, raw, sha, budget = connection.recv()
        except (EOFError, OSError):
            return
        try:
            try:
                parsed = parse(source, raw, sha, budget, lambda done, total: connection.send(("progress", done, total)))
                connection.send(("ok", parsed))
            except IngestError as error:
                connection.send(("ingest", str(error)))
            except MemoryError:
                connection.send(("memory", ""))
            except (EOFError, OSError):
                raise
            except Exception as error:  # noqa: BLE001 - reported to the parent, which skips the file
                connection.send(("error", f"{type(error).__name__}: {error}"))
        except (EOFError, OSError):  # the parent has gone (killed, or the build closed the pipe)
            return


class Parser:
    """Parses files one at a time in a child process that is replaced when a file overruns its budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._process = None
        self._connection: Connection | None = None

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def parse(self, source: SourceFile, raw: bytes, sha: str, progress: Progress | None = None) -> Parsed:
        """The parsed file; IngestError when it cannot be used or passes its budget (the child is then killed)."""
        if self.budget.seconds <= 0:
            return parse(source, raw, sha, self.budget, progress)
        connection = self._child()
        try:
            return self._await(connection, source, raw, sha, progress)
        except IngestError:
            raise
        except BaseException:  # the child may still answer: never let its reply reach the next file
            self._kill()
            raise

    def _await(self, connection: Connection, source: SourceFile, raw: bytes, sha: str,
               progress: Progress | None) -> Parsed:
        connection.send((source, raw, sha, self.budget))
        deadline = time.monotonic() + self.budget.seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill()
                raise IngestError(f"处理超过 {self.budget.seconds:g} 秒的时限，已跳过（时限见 WENYUAN_FILE_SECONDS）")
            if self._resident_mb() > self.budget.memory_mb:
                self._kill()
                raise IngestError(self._memory_message())
            if not connection.poll(min(remaining, _POLL)):
                continue
            try:
                kind, *payload = connection.recv()
            except (EOFError, OSError):
                self._kill()
                raise IngestError("读取这个文件时处理进程意外退出，已跳过") from None
            if kind == "progress":
                if progress:
                    progress(*payload)
                continue
            if kind == "ok":
                if payload[0].document.id != sha:
                    raise RuntimeError("the parser answered for another file")
                return payload[0]
            if kind == "ingest":
                raise IngestError(payload[0])
            if kind == "memory":
                self._kill()
                raise IngestError(self._memory_message())
            raise RuntimeError(payload[0])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the child sees the pipe close and returns
            self._connection = None
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
        self._process = None

    def _child(self) -> Connection:
        if self._process is None or self._process.poll() is not None:
            self._kill()
            # a fresh interpreter running this module (not a fork of a threaded server, and not a re-import of
            # whatever script started us), in a session of its own: killing it kills what it started
            ours, theirs = socket.socketpair()
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "wenyuan.parsing", str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL, start_new_session=True, env=environment,
                )
            except OSError as error:
                raise ParserUnavailable(f"读取文件的子进程无法启动（{error}），本次重建已中止，原索引保留") from error
            finally:
                theirs.close()
            self._connection = Connection(ours.detach())
            try:
                ready = self._connection.poll(_START_SECONDS) and self._connection.recv() == ("ready",)
            except (EOFError, OSError):
                ready = False
            if not ready:
                self._kill()
                raise ParserUnavailable("读取文件的子进程无法启动，本次重建已中止，原索引保留")
        return self._connection

    def _kill(self) -> None:
        process, self._process = self._process, None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if process is None or process.poll() is not None:
            return  # gone already: its number may belong to another process by now
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.wait(timeout=5)

    def _resident_mb(self) -> float:
        """The child's resident memory (Linux: /proc); 0 where it cannot be read."""
        if self._process is None:
            return 0.0
        try:
            with open(f"/proc/{self._process.pid}/statm", encoding="ascii") as stream:
                pages = int(stream.read().split()[1])
        except (OSError, ValueError, IndexError):
            return 0.0
        return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)

    def _memory_message(self) -> str:
        return f"处理时内存超过 {self.budget.memory_mb:g} MB 的上限，已跳过（上限见 WENYUAN_FILE_MEMORY_MB）"


if __name__ == "__main__":  # the child Parser starts: its end of the socket pair is argument 1
    from wenyuan import parsing  # this module under its own name, so what is sent back unpickles as wenyuan.parsing

    parsing._serve(Connection(int(sys.argv[1])))
