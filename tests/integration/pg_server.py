"""A throw-away PostgreSQL server for the jdbc tests (and the benchmark): Debian's
PostgreSQL 15 binaries (`apt-get install postgresql`), a data folder in /tmp, TCP on a free
loopback port, password (scram) authentication over TCP. PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` user (runuser).

`find_problem()` says why a server cannot be started here (the tests skip with it).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = (
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
)
JDBC_JAR = "/usr/share/java/postgresql.jar"


def bin_dir() -> Path | None:
    for folder in BIN_DIRS:
        if (Path(folder) / "initdb").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def find_problem() -> str | None:
    if bin_dir() is None:
        return "PostgreSQL server binaries not found (make setup: apt-get install postgresql)"
    if not Path(JDBC_JAR).is_file():
        return f"{JDBC_JAR} not found (make setup: apt-get install libpostgresql-jdbc-java)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: PostgreSQL refuses to run as root"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    folder: Path
    port: int
    user: str
    password: str
    database: str = "crm"

    def _as_owner(self, cmd: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run SQL as the superuser over the server's Unix socket; returns psql's output."""
        cmd = [
            str(bin_dir() / "psql") if (bin_dir() / "psql").is_file() else "psql",  # type: ignore[operator]
            "-h", str(self.folder / "sock"), "-p", str(self.port), "-U", "postgres",
            "-d", database or self.database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql,
        ]  # fmt: skip
        done = subprocess.run(self._as_owner(cmd), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        ctl = str(bin_dir() / "pg_ctl")  # type: ignore[operator]
        subprocess.run(
            self._as_owner([ctl, "-D", str(self.folder / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> PgServer:
    """initdb + pg_ctl start (~1-2 s); a role `alur_reader` owning database `crm`."""
    binaries = bin_dir()
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="alurc-pg-"))
    folder.chmod(0o755)
    (folder / "sock").mkdir()
    root = os.geteuid() == 0
    if root:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(folder / "sock", "postgres", "postgres")
    server = PgServer(folder, _free_port(), "alur_reader", "pw-" + secrets.token_hex(12))
    owner = server._as_owner
    subprocess.run(
        owner([str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
               "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"]),
        capture_output=True, check=True,
    )  # fmt: skip
    opts = (
        f"-p {server.port} -k {folder / 'sock'} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC"
    )
    subprocess.run(
        owner([str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-o", opts, "-w",
               "-l", str(folder / "server.log"), "start"]),
        capture_output=True, check=True,
    )  # fmt: skip
    server.psql(f"CREATE ROLE alur_reader LOGIN PASSWORD '{server.password}'", "postgres")
    server.psql("CREATE DATABASE crm OWNER alur_reader", "postgres")
    return server
