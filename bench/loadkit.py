"""Load-test kit: a fresh database, seeded respondents, a real gunicorn on 127.0.0.1, HTTP clients, checks.

Shared by bench/load_autosave.py (the full load test), tests/integration/test_autosave_load.py (the short
version), tests/integration/test_crash_safety.py and tests/e2e/test_prod_stack.py. Everything runs in
subprocesses or through plain SQLAlchemy engines, so the test suite's savepoint-bound session is never used.
Only 127.0.0.1 is ever contacted; every run is bounded by a request count and a deadline.

`python bench/loadkit.py seed URL N [--complete]` (used internally) seeds N respondents into a migrated
database and prints them as JSON.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Load-Passw0rd!"
HOST = "127.0.0.1"
SECRET = "load-test-secret-key-not-for-production-0123456789"


# --- databases -----------------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    """Whether a SQLAlchemy URL names PostgreSQL."""
    return url.startswith("postgresql")


def sibling_database(url: str, name: str) -> str:
    """The URL of database `name` on the same PostgreSQL server as `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database `url` names (connecting to the `postgres` database)."""
    import sqlalchemy as sa

    name = urlsplit(url).path.lstrip("/")
    if not name or name == "test":
        raise ValueError(f"refusing to recreate database {name!r}")
    engine = sa.create_engine(sibling_database(url, "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_postgres(url: str) -> None:
    """Drop the PostgreSQL database `url` names (if it exists)."""
    import sqlalchemy as sa

    name = urlsplit(url).path.lstrip("/")
    if not name or name == "test":
        return
    engine = sa.create_engine(sibling_database(url, "postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def separate_database(folder: Path, suffix: str) -> Iterator[str]:
    """For tests: a migrated database beside TEST_DATABASE_URL (PostgreSQL: <name>_<suffix>) or a SQLite file.

    A generator (use it in a fixture); the PostgreSQL database is dropped afterwards.
    """
    base = os.environ.get("TEST_DATABASE_URL", "")
    if is_postgres(base):
        name = urlsplit(base).path.lstrip("/")
        url = sibling_database(base, f"{name}_{suffix}")
    else:
        url = f"sqlite:///{folder / f'{suffix}.sqlite'}"
    migrate(url)
    try:
        yield url
    finally:
        if is_postgres(url):
            drop_postgres(url)


def server_env(url: str, **extra: str) -> dict[str, str]:
    """Environment of a server or CLI subprocess on database `url` (rate limits off, plain HTTP)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "REDIS_URL", "RATELIMIT", "FLASK_", "PORTAL_", "WTF_"))
    }
    env.update(
        {
            "DATABASE_URL": url,
            "TEST_DATABASE_URL": url,  # the testing configuration reads this one
            "PORTAL_ENV": "production",
            "SECRET_KEY": SECRET,
            "SESSION_COOKIE_SECURE": "false",
            "RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def migrate(url: str) -> None:
    """Run `flask --app portal db upgrade` on `url` (a fresh PostgreSQL database or SQLite file)."""
    if is_postgres(url):
        recreate_postgres(url)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run(
        [str(BIN / "flask"), "--app", "portal", "db", "upgrade"],
        env=server_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


@dataclass(frozen=True)
class Respondent:
    """A seeded enterprise user and the draft of their enterprise."""

    username: str
    assessment_id: int


def seed(url: str, count: int, *, complete: bool = False, prefix: str = "load") -> list[Respondent]:
    """Seed `count` enterprises, one user and one draft each (complete answer sets when asked)."""
    command = [sys.executable, str(Path(__file__)), "seed", url, str(count), "--prefix", prefix]
    if complete:
        command.append("--complete")
    done = subprocess.run(command, env=server_env(url), cwd=ROOT, check=True, capture_output=True, text=True)
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [Respondent(row["username"], row["assessment_id"]) for row in rows]


def _seed_main(url: str, count: int, complete: bool, prefix: str) -> None:
    """Subprocess body of `seed`: service functions on their own app and session."""
    from sqlalchemy import select

    import scoring
    from portal import create_app
    from portal.extensions import db
    from portal.models import Enterprise
    from portal.services import accounts, demo, results, rounds
    from portal.services import assessments as service

    overrides = {"SQLALCHEMY_DATABASE_URI": url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}
    app = create_app("testing", overrides)
    out = []
    with app.app_context():
        rounds.ensure_round(2025, status="open")
        db.session.commit()
        demo.seed_enterprises(count, 4242)
        enterprises = db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(count)).all()
        rng = random.Random(7)
        for index, enterprise in enumerate(enterprises):
            username = f"{prefix}{index:04d}"
            user = accounts.find_user(username) or accounts.create_user(
                username, PASSWORD, "enterprise", check_policy=False
            )
            accounts.add_membership(user, enterprise)
            db.session.commit()
            assessment = service.start_or_continue(user)
            if complete:
                questionnaire = service.questionnaire_of(assessment)
                context = results.scoring_context(enterprise)
                answers = scoring.random_answers(questionnaire, rng, quality=rng.random(), context=context)
                service.save_answers(assessment, assessment.version, answers, user=user)
            out.append({"username": username, "assessment_id": assessment.id})
    print(json.dumps(out))


def reconcile(url: str, reports_dir: Path) -> list[int]:
    """Run portal.reports.tasks.reconcile_reports in a subprocess on `url`; the rendered assessment ids."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "reconcile", url, str(reports_dir)],
        env=server_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _reconcile_main(url: str, reports_dir: str) -> None:
    """Subprocess body of `reconcile`."""
    from portal import create_app
    from portal.reports.tasks import reconcile_reports

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REPORTS_DIR": reports_dir})
    with app.app_context():
        outcome = reconcile_reports()
    print(json.dumps(outcome.rendered))


def read_assessments(url: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Rows of `assessments` (status, version, answers, answers_meta, result, report_status) by id."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    columns = "id, status, version, answers, answers_meta, result, report_status, submitted_at"
    rows: dict[int, dict[str, Any]] = {}
    with engine.connect() as connection:
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            statement = sa.text(f"SELECT {columns} FROM assessments WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            )
            for row in connection.execute(statement, {"ids": chunk}).mappings():
                data = dict(row)
                for key in ("answers", "answers_meta", "result"):
                    if isinstance(data[key], str):
                        data[key] = json.loads(data[key])
                rows[data["id"]] = data
    engine.dispose()
    return rows


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Server:
    """A gunicorn process on 127.0.0.1 (started by `start_gunicorn`)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://{HOST}:{self.port}"

    def workers(self) -> list[int]:
        """Process ids of the gunicorn workers."""
        return children(self.process.pid)

    def stop(self) -> None:
        """Stop gunicorn (TERM, then KILL after 10 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's output (for failure messages)."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def start_gunicorn(
    url: str,
    *,
    workers: int = 2,
    worker_class: str = "sync",
    threads: int = 1,
    env: dict[str, str] | None = None,
    app: str = "portal:create_app()",
    timeout: float = 60.0,
) -> Server:
    """Start gunicorn on a free port against `url` and wait until /healthz answers 200."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--bind",
        f"{HOST}:{port}",
        "--graceful-timeout",
        "5",
        "--timeout",
        "120",
        app,
    ]
    handle = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own app
        command, env=server_env(url, **(env or {})), cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
    )
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            status, _ = Client(port).request("GET", "/healthz")
            if status == 200 and len(server.workers()) >= workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{server.log_tail()}")


@contextlib.contextmanager
def running_gunicorn(url: str, **options: Any) -> Iterator[Server]:
    """`start_gunicorn` as a context manager that always stops it."""
    server = start_gunicorn(url, **options)
    try:
        yield server
    finally:
        server.stop()


# --- the HTTP client -----------------------------------------------------------------------------


class Client:
    """One browser tab: keep-alive connection, cookie jar, CSRF token (http.client, 127.0.0.1 only)."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self._connection: http.client.HTTPConnection | None = None

    def fork(self) -> Client:
        """A second tab of the same browser (same cookies and token, own connection)."""
        other = Client(self.port, self.timeout)
        other.cookies = dict(self.cookies)
        other.csrf = self.csrf
        return other

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send one request (one reconnect on a dropped keep-alive connection); (status, JSON or bytes)."""
        payload = None if body is None else json.dumps(body).encode()
        sent = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf and method not in ("GET", "HEAD"):
            sent["X-CSRFToken"] = self.csrf
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self._connection.request(method, path, body=payload, headers=sent)
                response = self._connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2 or method not in ("GET", "PUT"):
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self.close()
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(data or b"null")
        return response.status, data

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Log in through the JSON API (GET then POST /api/v1/session)."""
        status, body = self.request("GET", "/api/v1/session")
        if status != 200:
            raise RuntimeError(f"GET /api/v1/session: {status}")
        self.csrf = body["csrf_token"]
        status, body = self.request("POST", "/api/v1/session", {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"login of {username}: {status} {body}")
        self.csrf = body["csrf_token"]


# --- answers -------------------------------------------------------------------------------------


def answer_pool(port: int, respondent: Respondent, sets: int = 30, seed: int = 11) -> dict[str, list[Any]]:
    """Question id -> valid values, drawn from random complete answer sets of the draft's questionnaire."""
    import questionnaires
    import scoring

    client = Client(port)
    client.login(respondent.username)
    status, body = client.request("GET", f"/api/v1/assessments/{respondent.assessment_id}")
    client.close()
    if status != 200:
        raise RuntimeError(f"GET assessment: {status}")
    questionnaire = questionnaires.load(body["questionnaire"]["id"], body["questionnaire"]["version"])
    rng = random.Random(seed)
    pool: dict[str, list[Any]] = {}
    for _ in range(sets):
        for question_id, value in scoring.random_answers(questionnaire, rng, quality=rng.random()).items():
            if value is not None and value not in pool.setdefault(question_id, []):
                pool[question_id].append(value)
    return {question_id: values for question_id, values in pool.items() if values}


def login_all(port: int, respondents: Sequence[Respondent], parallel: int = 8) -> list[Client]:
    """Log every respondent in (a few at a time); clients in the same order."""
    clients: list[Client | None] = [None] * len(respondents)
    errors: list[str] = []

    def work(indexes: list[int]) -> None:
        for index in indexes:
            try:
                client = Client(port)
                client.login(respondents[index].username)
                clients[index] = client
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"{respondents[index].username}: {error}")

    threads = [
        threading.Thread(target=work, args=(list(range(start, len(respondents), parallel)),))
        for start in range(parallel)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} logins failed, e.g. {errors[0]}")
    return [client for client in clients if client is not None]


# --- workloads -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share 0..1) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


@dataclass
class Tally:
    """Outcome of a workload: latencies (ms) of successful saves, counts by status, problems."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    intended_conflicts: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, milliseconds: float) -> None:
        """Record one response."""
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                self.latencies.append(milliseconds)

    def problem(self, text: str) -> None:
        """Record an unexpected outcome (kept to the first 50)."""
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(text)
            else:
                self.problems[-1] = f"... and more (last: {text})"

    @property
    def requests(self) -> int:
        """Responses received."""
        return sum(self.statuses.values())

    def summary(self) -> dict[str, Any]:
        """Figures as a dict."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies, 0.50), 1),
            "p95_ms": round(percentile(self.latencies, 0.95), 1),
            "p99_ms": round(percentile(self.latencies, 0.99), 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "intended_409": self.intended_conflicts,
            "problems": len(self.problems),
        }


class Tab:
    """A simulated page on one draft: knows its version, autosaves, handles a 409 like the page does."""

    def __init__(self, client: Client, assessment_id: int, version: int = 0) -> None:
        self.client = client
        self.assessment_id = assessment_id
        self.version = version

    def reload(self) -> None:
        """GET the assessment (the page reloads the latest answers and version)."""
        status, body = self.client.request("GET", f"/api/v1/assessments/{self.assessment_id}")
        if status != 200:
            raise RuntimeError(f"reload: {status}")
        self.version = int(body["version"])

    def save(self, answers: dict[str, Any]) -> tuple[int, Any, float]:
        """One autosave PUT: (status, body, milliseconds)."""
        started = time.perf_counter()
        status, body = self.client.request(
            "PUT",
            f"/api/v1/assessments/{self.assessment_id}/answers",
            {"version": self.version, "answers": answers},
        )
        elapsed = (time.perf_counter() - started) * 1000
        if status == 200:
            self.version = int(body["version"])
        return status, body, elapsed


def closed_loop(
    clients: Sequence[Client],
    respondents: Sequence[Respondent],
    pool: dict[str, list[Any]],
    seconds: float,
    max_requests: int = 1_000_000,
) -> Tally:
    """Each client saves one random answer after another on its own draft for `seconds`."""
    tally = Tally()
    questions = sorted(pool)
    deadline = time.monotonic() + seconds
    budget = threading.Semaphore(max_requests)

    def work(index: int) -> None:
        rng = random.Random(index)
        tab = Tab(clients[index], respondents[index].assessment_id)
        tab.reload()
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            question = rng.choice(questions)
            try:
                status, body, elapsed = tab.save({question: rng.choice(pool[question])})
            except OSError as error:
                tally.problem(f"{type(error).__name__}: {error}")
                continue
            tally.add(status, elapsed)
            if status != 200:
                tally.problem(f"{status}: {body}")

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.monotonic() - started
    return tally


def open_loop(
    clients: Sequence[Client],
    respondents: Sequence[Respondent],
    pool: dict[str, list[Any]],
    rate: float,
    seconds: float,
) -> Tally:
    """Saves arrive at a fixed `rate` per second for `seconds`; latency counts from the scheduled arrival.

    A free client (one draft each) takes the next arrival; waiting for one counts in the latency, so a
    slow server shows up as latency instead of as a lower arrival rate (no coordinated omission).
    """
    import queue

    tally = Tally()
    questions = sorted(pool)
    total = int(rate * seconds)
    free: queue.Queue[Tab] = queue.Queue()
    for client, respondent in zip(clients, respondents, strict=True):
        tab = Tab(client, respondent.assessment_id)
        tab.reload()
        free.put(tab)
    arrivals: queue.Queue[float | None] = queue.Queue()

    def work(index: int) -> None:
        rng = random.Random(1000 + index)
        while True:
            scheduled = arrivals.get()
            if scheduled is None:
                return
            tab = free.get()
            question = rng.choice(questions)
            try:
                status, body, _ = tab.save({question: rng.choice(pool[question])})
            except OSError as error:
                tally.problem(f"{type(error).__name__}: {error}")
                free.put(tab)
                continue
            free.put(tab)
            tally.add(status, (time.perf_counter() - scheduled) * 1000)
            if status != 200:
                tally.problem(f"{status}: {body}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    for index in range(total):
        due = start + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        arrivals.put(due)
    for _ in threads:
        arrivals.put(None)
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - start
    return tally


@dataclass
class Ledger:
    """Per assessment and question: the last acknowledged (version, value)."""

    acked: dict[tuple[int, str], tuple[int, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, assessment_id: int, question_id: str, version: int, value: Any) -> None:
        """Record a 200 for one answer (keeps the one with the highest version)."""
        with self.lock:
            known = self.acked.get((assessment_id, question_id))
            if known is None or version >= known[0]:
                self.acked[(assessment_id, question_id)] = (version, value)

    def verify(self, url: str) -> list[str]:
        """Compare the database with the acknowledgements; returns the differences (empty: nothing lost)."""
        rows = read_assessments(url, sorted({assessment_id for assessment_id, _ in self.acked}))
        lost = []
        for (assessment_id, question_id), (version, value) in sorted(self.acked.items()):
            row = rows.get(assessment_id)
            stored = (row["answers"] or {}).get(question_id, "<missing>") if row else "<no row>"
            if json.dumps(stored, sort_keys=True) != json.dumps(value, sort_keys=True) and stored != value:
                lost.append(
                    f"assessment {assessment_id} {question_id}: acknowledged {value!r} at v{version}, stored {stored!r}"
                )
            elif row and int(row["version"]) < version:
                lost.append(f"assessment {assessment_id}: version {row['version']} < acknowledged {version}")
        return lost


def respondents_autosaving(
    port: int,
    respondents: Sequence[Respondent],
    pool: dict[str, list[Any]],
    seconds: float,
    *,
    two_tab_share: float = 0.2,
    think: tuple[float, float] = (0.05, 0.5),
    questions_per_respondent: int = 12,
    max_requests: int = 200_000,
    clients: Sequence[Client] | None = None,
) -> tuple[Tally, Ledger]:
    """Simulated respondents autosave random valid answers; some have a second tab on the same draft.

    A 409 is expected only for a tab whose draft has a second tab; it reloads and retries its change
    (as the page does). Anything else that is not 200 is recorded as a problem.
    """
    tally, ledger = Tally(), Ledger()
    deadline = time.monotonic() + seconds
    budget = threading.Semaphore(max_requests)
    if clients is None:
        clients = login_all(port, respondents)
    question_ids = sorted(pool)
    plans: list[tuple[Tab, bool, list[str], int]] = []
    for index, (client, respondent) in enumerate(zip(clients, respondents, strict=True)):
        rng = random.Random(500 + index)
        questions = rng.sample(question_ids, min(questions_per_respondent, len(question_ids)))
        shared = rng.random() < two_tab_share
        plans.append((Tab(client, respondent.assessment_id), shared, questions, index))
        if shared:
            plans.append((Tab(client.fork(), respondent.assessment_id), shared, questions, index + 10_000))

    def work(tab: Tab, shared: bool, questions: list[str], seed_: int) -> None:
        rng = random.Random(seed_)
        try:
            tab.reload()
        except (OSError, RuntimeError) as error:
            tally.problem(f"first load: {error}")
            return
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            time.sleep(rng.uniform(*think))
            question = rng.choice(questions)
            value = rng.choice(pool[question])
            for _attempt in range(6):
                try:
                    status, body, elapsed = tab.save({question: value})
                except OSError as error:
                    tally.problem(f"{type(error).__name__}: {error}")
                    break
                tally.add(status, elapsed)
                if status == 200:
                    ledger.acknowledge(tab.assessment_id, question, int(body["version"]), value)
                    break
                if status == 409 and shared and isinstance(body, dict) and "version" in body:
                    with tally.lock:
                        tally.intended_conflicts += 1
                    try:
                        tab.reload()
                    except (OSError, RuntimeError) as error:
                        tally.problem(f"reload: {error}")
                        break
                    continue
                tally.problem(f"assessment {tab.assessment_id} {question}: {status} {body}")
                break

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.monotonic() - started
    return tally, ledger


def load_average() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def median(values: Sequence[float]) -> float:
    """statistics.median, 0 for none."""
    return statistics.median(values) if values else 0.0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="internal helpers of the load tests")
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("url")
    seeding.add_argument("count", type=int)
    seeding.add_argument("--complete", action="store_true")
    seeding.add_argument("--prefix", default="load")
    reconciling = sub.add_parser("reconcile")
    reconciling.add_argument("url")
    reconciling.add_argument("reports_dir")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if options.command == "seed":
        _seed_main(options.url, options.count, options.complete, options.prefix)
    else:
        _reconcile_main(options.url, options.reports_dir)
