"""Accounts belong to their owners, through HTTP: the reported takeover, and no enumeration."""

from __future__ import annotations

import csv
import io
import statistics
import time
from datetime import timedelta

from sqlalchemy import event, select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.auth import audit
from studyapp.auth.models import AuditAction, User
from studyapp.classes import invitations
from studyapp.classes.models import ClassInvitation, Enrollment
from studyapp.core.clock import utcnow
from tests import factories
from tests.conftest import login


def _upload(client, course_id: int, text: str):
    return client.post(
        f"/teach/classes/{course_id}/roster",
        data={"file": (io.BytesIO(text.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )


def _links(client, course_id: int) -> dict[str, str]:
    download = client.post(f"/teach/classes/{course_id}/roster/invitation-links.csv")
    rows = csv.DictReader(io.StringIO(download.get_data(as_text=True)))
    return {r["email"]: r["class_link"].split("localhost", 1)[1] for r in rows}


def _set_password(client, path: str, password: str):
    return client.post(path, data={"password": password, "confirm": password})


def test_another_classs_instructor_cannot_take_over_a_student(app, session, course, student):
    """The probe's takeover: B rosters A's student, makes a link and uses it. Nothing moves."""
    quiz = factories.make_quiz(session, course, keys=("capital",))
    attempt = attempts.start_attempt(session, quiz, student, utcnow())
    saving.save_answer(session, attempt, 0, "A", None, utcnow())
    intruder = factories.make_instructor(session)
    their_class = factories.make_course(session, intruder)
    session.commit()
    before = (student.password_hash, student.name, student.email)
    b = app.test_client()
    login(b, intruder.email)

    page = _upload(b, their_class.id, f"email,name\n{student.email},Mine Now\n")
    assert b"1 student(s) invited" in page.data
    assert b"existing" not in page.data and course.name.encode() not in page.data
    link = _links(b, their_class.id)[student.email]
    stranger = app.test_client()
    used = _set_password(stranger, link, "the intruders password")
    assert used.headers["Location"] == f"/login?email={student.email}"
    assert login(stranger, student.email, "the intruders password").status_code == 200
    assert stranger.get(f"/attempts/{attempt.id}").status_code == 302, "not logged in"
    assert (
        b.post(f"/teach/classes/{their_class.id}/students/{student.id}/password-link").status_code
        == 404
    )
    assert b.get(f"/attempts/{attempt.id}").status_code == 404

    session.expire_all()
    assert (student.password_hash, student.name, student.email) == before
    assert set(
        session.scalars(select(Enrollment.course_id).where(Enrollment.user_id == student.id))
    ) == {course.id}
    assert session.get(type(attempt), attempt.id).questions[0].response == "A"
    owner = app.test_client()
    assert login(owner, student.email).status_code == 302, "the owner's password still works"
    home = owner.get("/").get_data(as_text=True)
    assert their_class.name in home and "Accept and join" in home, "the owner decides"
    events = audit.list_events(session, email=student.email)
    assert [(e.action, e.actor_id) for e in events] == [
        (AuditAction.INVITE, intruder.id),
        (AuditAction.INVITE_LINK_MADE, intruder.id),
        (AuditAction.INVITE_LINK_USED, None),
    ]
    assert events[2].address == "127.0.0.1" and events[2].user_id == student.id


def _normalized(response, email: str) -> tuple[int, str | None, bytes]:
    body = response.get_data(as_text=True).replace(email, "EMAIL")
    location = (response.headers.get("Location") or "").replace(email, "EMAIL")
    return response.status_code, location, body.encode()


def test_roster_result_is_the_same_for_a_known_and_an_unknown_address(app, session, instructor):
    known = factories.make_user(session, email="known@school.test")
    factories.make_enrollment(session, factories.make_course(session), known)
    first = factories.make_course(session, instructor)
    second = factories.make_course(session, instructor)
    session.commit()
    c = app.test_client()
    login(c, instructor.email)
    answers = []
    for course, email in ((first, known.email), (second, "unknown@school.test")):
        page = _upload(c, course.id, f"email,name\n{email},Someone\n")
        body = page.get_data(as_text=True).replace(course.name, "CLASS")
        body = body.replace(f"/teach/classes/{course.id}", "/teach/classes/N")
        answers.append(body)
        manage = c.get(f"/teach/classes/{course.id}").get_data(as_text=True)
        assert "invited" in manage and email in manage
    assert answers[0] == answers[1]


def _sign_up(client, code: str, email: str):
    return client.post(
        "/join",
        data={
            "code": code,
            "name": "Someone",
            "email": email,
            "password": "long password 1",
            "confirm": "long password 1",
        },
    )


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(
    app, session, course, student
):
    taken = _sign_up(app.test_client(), course.join_code, student.email)
    fresh = _sign_up(app.test_client(), course.join_code, "brand-new@school.test")
    assert _normalized(taken, student.email) == _normalized(fresh, "brand-new@school.test")
    follow = [app.test_client().get(r.headers["Location"]).status_code for r in (taken, fresh)]
    assert follow == [200, 200]
    session.expire_all()
    assert session.get(User, student.id).password_hash == student.password_hash


def _seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _median_ratio(slow, fast, runs: int = 7) -> float:
    """Median of ``slow``'s time over ``fast``'s, the two run in turn so drift hits both."""
    pairs = [(_seconds(slow), _seconds(fast)) for _ in range(runs)]
    return statistics.median(a for a, _ in pairs) / statistics.median(b for _, b in pairs)


def test_sign_up_takes_as_long_for_a_known_address(make_app):
    """With a real scrypt cost, a taken address must not answer faster (it hashes too)."""
    app = make_app(PASSWORD_HASH_METHOD="scrypt:16384:8:1")
    with app.app_context():
        s = app.extensions["studyapp.sessionmaker"]()
        course = factories.make_course(s)
        known = factories.make_user(s)
        s.commit()
        code, email = course.join_code, known.email
    counter = iter(range(1000))
    ratio = _median_ratio(
        lambda: _sign_up(app.test_client(), code, email),
        lambda: _sign_up(app.test_client(), code, f"n{next(counter)}@school.test"),
    )
    # Without the dummy hash a taken address answered in a tenth of the time.
    assert 0.5 < ratio < 2.0, ratio


def test_a_class_link_takes_as_long_and_answers_the_same_for_a_known_address(make_app):
    app = make_app(PASSWORD_HASH_METHOD="scrypt:16384:8:1")
    runs = 7
    with app.app_context():
        s = app.extensions["studyapp.sessionmaker"]()
        course = factories.make_course(s)
        teacher = course.instructors[0].user
        known = [factories.make_user(s, email=f"known{i}@school.test").email for i in range(runs)]
        rows = "email,name\n" + "".join(
            f"known{i}@school.test,K\nnew{i}@school.test,N\n" for i in range(runs)
        )
        invitations.import_roster(s, course, teacher, rows.encode(), max_bytes=10**6, max_rows=99)
        made = invitations.make_invitation_links(s, course, teacher, timedelta(days=1))
        links = {i.email: f"/invite/{raw}" for i, raw in made}
        s.commit()
    answers: dict[str, object] = {}
    counters = {"known": iter(range(runs)), "new": iter(range(runs))}

    def use(prefix: str):
        email = f"{prefix}{next(counters[prefix])}@school.test"
        answers[email] = _set_password(app.test_client(), links[email], "pw long one")

    ratio = _median_ratio(lambda: use("known"), lambda: use("new"), runs)
    assert 0.5 < ratio < 2.0, ratio
    assert _normalized(answers[known[0]], known[0]) == _normalized(
        answers["new0@school.test"], "new0@school.test"
    )


def test_the_invited_student_accepts_after_logging_in(app, session, instructor_client, course):
    owner = factories.make_user(session, email="owner@school.test")
    bystander = factories.make_user(session)
    session.commit()
    _upload(instructor_client, course.id, "email,name\nowner@school.test,O\n")
    c = app.test_client()
    login(c, owner.email)
    page = c.get("/invitations").get_data(as_text=True)
    assert course.name in page
    [invitation] = session.scalars(select(ClassInvitation)).all()
    other = app.test_client()
    login(other, bystander.email)
    assert other.post(f"/invitations/{invitation.id}/accept").status_code == 404
    assert c.post(f"/invitations/{invitation.id}/accept").status_code == 302
    assert c.get(f"/classes/{course.id}").status_code == 200
    assert c.post(f"/invitations/{invitation.id}/decline").status_code == 404


def test_a_class_link_opened_while_logged_in_as_someone_else_is_refused(
    app, session, instructor_client, course, student_client
):
    _upload(instructor_client, course.id, "email,name\nsomeone@school.test,S\n")
    link = _links(instructor_client, course.id)["someone@school.test"]
    page = student_client.get(link)
    assert page.status_code == 403 and b"another e-mail address" in page.data


def test_password_link_refused_for_an_account_used_elsewhere(
    instructor_client, session, course, student
):
    elsewhere = factories.make_course(session)
    factories.make_enrollment(session, elsewhere, student)
    session.commit()
    response = instructor_client.post(
        f"/teach/classes/{course.id}/students/{student.id}/password-link"
    )
    assert response.status_code == 302
    page = instructor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only a site administrator" in page
    assert "/reset/" not in page


def test_roster_cell_over_128_kib_is_a_400_naming_the_row(instructor_client, session, course):
    text = "email,name\nok@school.test,Ok\nbig@school.test," + "x" * (129 * 1024) + "\n"
    page = _upload(instructor_client, course.id, text)
    assert page.status_code == 400
    assert b"row 3: this row cannot be read" in page.data
    assert session.scalar(select(ClassInvitation.id)) is None


def test_roster_upload_commits_in_chunks_of_bounded_size(app, instructor_client, course):
    rows = 2 * invitations.CHUNK_ROWS + 7
    text = "email,name\n" + "".join(f"s{i}@school.test,S {i}\n" for i in range(rows))
    engine = app.extensions["studyapp.engine"]
    pending: list[int] = [0]

    def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if statement.startswith("INSERT INTO class_invitations"):
            pending[-1] += len(parameters) if executemany else 1

    def commit(_conn) -> None:
        pending.append(0)

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        page = _upload(instructor_client, course.id, text)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    assert f"{rows} student(s) invited".encode() in page.data
    per_transaction = [n for n in pending if n]
    assert per_transaction == [invitations.CHUNK_ROWS, invitations.CHUNK_ROWS, 7]
