"""The revisit check end to end, in real processes: scheduler, database queue, worker, mail.

Everything runs as `manage.py` subprocesses against a SQLite file (the test
database lives in this process's memory, which no other process can open), and
mail goes to files, which the test reads afterwards.
"""

import json
import os
import sqlite3
import subprocess
import sys
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from decisions.models import AttentionNotice, Decision

SETUP = """
import datetime
from django.contrib.auth import get_user_model
from decisions.models import Decision
owner = get_user_model().objects.create_user("owner", "owner@example.com", "a-long-test-password")
Decision.objects.create(
    owner=owner, title="Queue for the billing service", answers={}, chosen_framework="django",
    review_by=datetime.date.today() - datetime.timedelta(days=1),
)
Decision.objects.create(
    owner=owner, title="Not due yet", answers={}, chosen_framework="django",
    review_by=datetime.date.today() + datetime.timedelta(days=30),
)
"""


def manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def test_scheduler_and_worker_processes_flag_an_overdue_decision_and_mail_its_owner(tmp_path):
    database = tmp_path / "db.sqlite3"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_FILE_PATH": str(outbox),
    }
    manage(env, "migrate", "--noinput", "-v0", timeout=600)
    manage(env, "shell", "-c", SETUP)

    # Two schedulers at the same minute: each periodic task is enqueued once. (This
    # database has no frameworks, so the facts refresh fetches nothing.)
    cmd = [sys.executable, "manage.py", "enqueue_periodic_tasks"]
    schedulers = [
        subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in schedulers]
    assert [process.returncode for process in schedulers] == [0, 0]
    assert sum(out.count("Enqueued decisions.tasks.check_decisions") for out in outputs) == 1
    assert sum(out.count("Enqueued comparisons.tasks.refresh_facts") for out in outputs) == 1

    worker = manage(env, "db_worker", "--backend", "worker", "--batch", "--no-startup-delay", "--no-reload")
    assert "decisions.tasks.check_decisions" in worker.stdout + worker.stderr

    with sqlite3.connect(database) as db:
        rows = db.execute(
            f"SELECT task_path, status, return_value FROM {DBTaskResult._meta.db_table}"
        ).fetchall()
        notices = db.execute(
            "SELECT d.title, n.reason, n.notified_at IS NOT NULL"
            f" FROM {AttentionNotice._meta.db_table} n"
            f" JOIN {Decision._meta.db_table} d ON d.id = n.decision_id"
        ).fetchall()
    tasks = {path: (status, json.loads(value)) for path, status, value in rows}
    assert len(rows) == 2
    assert tasks["decisions.tasks.check_decisions"] == (
        "SUCCESSFUL",
        {"flagged": 1, "notices": 1, "emails": 1},
    )
    assert tasks["comparisons.tasks.refresh_facts"][0] == "SUCCESSFUL"
    assert notices == [("Queue for the billing service", "review_due", 1)]

    (message_file,) = list(outbox.iterdir())
    message = message_from_bytes(Path(message_file).read_bytes())
    assert message["To"] == "owner@example.com"
    assert str(make_header(decode_header(message["Subject"]))) == "[Stackfit] 1 decision to revisit"
    body = message.get_payload(decode=True).decode()
    assert "Queue for the billing service" in body and "has come" in body
    assert "Not due yet" not in body

    # The next hour's run finds nothing new to mail.
    manage(env, "shell", "-c", "from decisions.tasks import check_decisions; check_decisions.enqueue()")
    manage(env, "db_worker", "--backend", "worker", "--batch", "--no-startup-delay", "--no-reload")
    assert len(list(outbox.iterdir())) == 1
