"""Start SPARQL servers for the remote-store tests and benchmarks: Oxigraph server and
Virtuoso 7, each on free ports of 127.0.0.1, in a directory of its own, stopped by
:meth:`Server.stop`.

Virtuoso gets its own ``virtuoso.ini`` (ports bound to 127.0.0.1, ``ResultSetMaxRows``
raised far above its silent 10,000-row cut, a query time limit), new ``dba`` and ``dav``
passwords, and a ``skillsgraph`` user with ``SPARQL_UPDATE`` for ``/sparql-auth`` and
``/sparql-graph-crud-auth`` (digest auth); anonymous ``/sparql`` may read nothing.

Run one by hand: ``.venv/bin/python -m tests.remote.servers virtuoso`` (prints its store
location, stops on Ctrl-C).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

Kind = Literal["oxigraph", "virtuoso"]
_VIRTUOSO_SHARE = Path("/usr/lib/x86_64-linux-gnu/virtuoso-opensource-7/hosting")
USER = "skillsgraph"


class ServerError(RuntimeError):
    """A server could not be installed or started; the message says what to check."""


@dataclass
class Server:
    """A running SPARQL server: how to reach it, and the process to stop."""

    kind: Kind
    process: subprocess.Popen[bytes]
    directory: Path
    location: str
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def stop(self) -> None:
        """Stop the server (kill it when it does not stop within 20 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"the server exited with code {process.returncode} before answering {url}; "
                f"its log:\n{_tail(log)}"
            )
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise ServerError(f"no answer from {url} within {seconds:g} s; log:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


# --- Oxigraph server --------------------------------------------------------------------


def oxigraph_binary() -> str:
    """The ``oxigraph`` command of the PyPI package ``oxigraph`` (the test extras)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServerError(
            "the oxigraph server is not installed: run `.venv/bin/pip install -e .[test]` "
            "(PyPI package oxigraph), or set SKILLSGRAPH_SKIP_REMOTE=1 to skip these tests"
        )
    return found


def start_oxigraph(directory: Path, port: int | None = None) -> Server:
    """``oxigraph serve`` on the store in ``directory`` (made if new), on 127.0.0.1 only."""
    port = port or free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(directory / "data"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log, 30)
    env = {"SKILLSGRAPH_UPDATE_URL": f"{base}/update", "SKILLSGRAPH_GSP_URL": f"{base}/store"}
    return Server("oxigraph", process, directory, f"sparql+{base}/query", env, log)


# --- Virtuoso -----------------------------------------------------------------------------


def virtuoso_binaries() -> tuple[str, str]:
    """``virtuoso-t`` and ``isql-vt`` (Debian ``virtuoso-opensource``)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not server or not isql:
        raise ServerError(
            "Virtuoso is not installed: run `bash scripts/ensure-virtuoso.sh` (Debian package "
            "virtuoso-opensource, needs root), or set SKILLSGRAPH_SKIP_REMOTE=1 to skip"
        )
    return server, isql


def virtuoso_ini(directory: Path, sql_port: int, http_port: int, *, buffers: int) -> str:
    """A ``virtuoso.ini`` for one instance in ``directory``: both ports on 127.0.0.1."""
    db = directory / "db"
    return f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {directory}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
TransactionAfterImageLimit = 1500000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {directory}/vsp
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 1

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[Zero Config]
ServerName = skillsgraph-test

[URIQA]
DynamicLocal = 0
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows = 10000000
MaxSortedTopRows = 10000000
MaxConstructTriples = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 1800
DefaultGraph =
DeferInferenceRulesInit = 0

[Plugins]
LoadPath = {_VIRTUOSO_SHARE}
"""


def _isql(isql: str, port: int, password: str, sql: str) -> str:
    done = subprocess.run(
        [isql, f"127.0.0.1:{port}", "dba", password, "VERBOSE=OFF", "BANNER=OFF", f"EXEC={sql}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in out:
        raise ServerError(f"isql failed on {sql!r}: {out.strip()[-1500:]}")
    return out


def start_virtuoso(directory: Path, *, buffers: int = 20_000) -> Server:
    """A fresh Virtuoso in ``directory`` (``buffers`` of 8 kB: 20,000 = 160 MB)."""
    server, isql = virtuoso_binaries()
    sql_port, http_port = free_port(), free_port()
    (directory / "db").mkdir(parents=True, exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, sql_port, http_port, buffers=buffers))
    log = directory / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_http(f"{base}/sparql?query=ASK%7B%7D", process, log, 120)
        dba, dav, password = (secrets.token_hex(16) for _ in range(3))
        setup = [
            f"USER_SET_PASSWORD('dba', '{dba}')",
            f"DB.DBA.USER_CREATE('{USER}', '{password}')",
            f'GRANT SPARQL_SELECT TO "{USER}"',
            f'GRANT SPARQL_UPDATE TO "{USER}"',
            # Anonymous /sparql reads nothing; our user reads and writes every graph.
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0)",
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 7)",
        ]
        _isql(isql, sql_port, "dba", setup[0])
        for sql in setup[1:]:
            _isql(isql, sql_port, dba, sql)
        # dav is a WebDAV account, not an SQL user: its password is set in SYS_USERS
        _isql(
            isql,
            sql_port,
            dba,
            f"UPDATE DB.DBA.SYS_USERS SET U_PASSWORD = pwd_magic_calc(U_NAME, '{dav}') "
            "WHERE U_NAME = 'dav'",
        )
        _isql(isql, sql_port, dba, "checkpoint")
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise
    location = f"sparql+http://{USER}:{password}@127.0.0.1:{http_port}/sparql-auth"
    env = {
        "SKILLSGRAPH_GSP_URL": f"{base}/sparql-graph-crud-auth",
        "SKILLSGRAPH_STORE_AUTH": "digest",
    }
    return Server("virtuoso", process, directory, location, env, log)


def start(kind: Kind, directory: Path | None = None) -> Server:
    """Start a server of ``kind`` in ``directory`` (a new temporary one by default)."""
    where = directory or Path(tempfile.mkdtemp(prefix=f"skillsgraph-{kind}-"))
    return start_oxigraph(where) if kind == "oxigraph" else start_virtuoso(where)


if __name__ == "__main__":
    chosen: Kind = "virtuoso" if sys.argv[1:] == ["virtuoso"] else "oxigraph"
    running = start(chosen)
    print(f"SKILLSGRAPH_STORE={running.location}")
    for name, value in running.env.items():
        print(f"{name}={value}")
    print(f"data and log in {running.directory}; Ctrl-C stops it", flush=True)
    try:
        running.process.wait()
    except KeyboardInterrupt:
        running.stop()
    os._exit(0)
