"""Benchmark: roster uploads of 1,000 and 3,000 rows and of 1 MB, through the app.

Each upload goes to a fresh class through the roster page (multipart POST, as the
browser sends it). Beside each, the reference: one bare executemany of the same rows into
the invitations table, in the same run. While the 1 MB upload runs, another user saves
every 20 ms; the slowest save and any refused ones are printed.

    python bench/roster.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchapp import fresh_app  # noqa: E402

from studyapp.auth import services as auth  # noqa: E402
from studyapp.auth.models import Role, User  # noqa: E402
from studyapp.classes import services as classes  # noqa: E402
from studyapp.classes.models import ClassInvitation  # noqa: E402
from studyapp.core.clock import utcnow  # noqa: E402

ROW = "student{:06d}@school.test,Student Number {:06d},S{:06d}\n"
MEGABYTE = 1024 * 1024


def roster(rows: int) -> bytes:
    return ("email,name,student_id\n" + "".join(ROW.format(i, i, i) for i in range(rows))).encode()


def megabyte_rows() -> int:
    return (MEGABYTE - 30) // len(ROW.format(0, 0, 0))


class Saver(threading.Thread):
    """Another user saving (a one-row UPDATE, committed) every 20 ms until stopped."""

    def __init__(self, url: str, user_id: int):
        super().__init__(daemon=True)
        self.engine = create_engine(url, connect_args={"timeout": 15} if "sqlite" in url else {})
        self.user_id, self.stop, self.times, self.refused = user_id, threading.Event(), [], 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            start = time.perf_counter()
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(User).where(User.id == self.user_id).values(name=f"Saver {n}")
                    )
                self.times.append(time.perf_counter() - start)
            except Exception:  # noqa: BLE001 - a refused save is what is being counted
                self.refused += 1
            self.stop.wait(0.02)
        self.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    app = fresh_app(args.database_url)
    engine = app.extensions["studyapp.engine"]
    url = engine.url.render_as_string(hide_password=False)
    with app.app_context():
        s = app.extensions["studyapp.sessionmaker"]()
        teacher = auth.create_user(
            s, email="t@bench.test", name="T", role=Role.INSTRUCTOR, password="bench password"
        )
        other = auth.create_user(s, email="o@bench.test", name="O", role=Role.STUDENT)
        courses = [classes.create_course(s, teacher, name=f"C{i}", term="") for i in range(6)]
        s.commit()
        course_ids, other_id = [c.id for c in courses], other.id
        s.close()
    client = app.test_client()
    client.post("/login", data={"email": "t@bench.test", "password": "bench password"})
    statements = [0]
    event.listen(
        engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
    )
    print(f"{engine.dialect.name}: upload through the app vs one bare executemany of the rows")
    print(
        f"{'roster':<22}{'size':>9}{'upload':>10}{'statements':>12}{'executemany':>13}{'ratio':>7}"
    )
    sizes = (("1,000 rows", 1000), ("3,000 rows", 3000), ("1 MB", megabyte_rows()))
    for index, (label, rows) in enumerate(sizes):
        data = roster(rows)
        saver = Saver(url, other_id) if label == "1 MB" else None
        if saver:
            saver.start()
        statements[0] = 0
        start = time.perf_counter()
        page = client.post(
            f"/teach/classes/{course_ids[index]}/roster",
            data={"file": (io.BytesIO(data), "roster.csv")},
            content_type="multipart/form-data",
        )
        upload = time.perf_counter() - start
        count = statements[0]
        if saver:
            saver.stop.set()
            saver.join()
        assert f"{rows} student(s) invited".encode() in page.data, page.data[:500]
        now = utcnow()
        values = [
            {
                "course_id": course_ids[index + 3],
                "email": f"student{i:06d}@school.test",
                "name": f"Student Number {i:06d}",
                "student_number": f"S{i:06d}",
                "invited_at": now,
            }
            for i in range(rows)
        ]
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(ClassInvitation), values)
        reference = time.perf_counter() - start
        print(
            f"{label:<22}{len(data) / 1024:>7.0f}KB{upload:>9.2f}s{count:>12}"
            f"{reference:>12.2f}s{upload / reference:>7.1f}"
        )
        if saver:
            slowest = max(saver.times) * 1000 if saver.times else float("nan")
            print(
                f"  another user's saves during the 1 MB upload: {len(saver.times)} done, "
                f"{saver.refused} refused, slowest {slowest:.0f} ms"
            )
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM class_invitations")).scalar()
    print(f"{total} invitations written")
    engine.dispose()


if __name__ == "__main__":
    main()
