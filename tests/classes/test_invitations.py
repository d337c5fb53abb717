"""Roster rows invite; only the owner of an account enrols it; everything is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, select, update

from studyapp.auth import audit
from studyapp.auth import services as auth
from studyapp.auth.models import AuditAction, Role, User
from studyapp.classes import invitations, services
from studyapp.classes.models import ClassInvitation, Enrollment
from studyapp.core.errors import DomainError, InvalidToken, NotFound
from tests import factories

MAX = 1024 * 1024
DAY = timedelta(days=1)


def _import(session, course, data: bytes, **kwargs):
    instructor = course.instructors[0].user
    return invitations.import_roster(
        session, course, instructor, data, max_bytes=MAX, max_rows=25_000, **kwargs
    )


def _enrolled(session, user) -> set[int]:
    return set(session.scalars(select(Enrollment.course_id).where(Enrollment.user_id == user.id)))


def test_rows_for_new_and_existing_accounts_give_the_same_result(session, course):
    known = factories.make_user(session, email="known@school.test")
    users_before = session.scalar(select(func.count(User.id)))
    result = _import(session, course, b"email,name\nKNOWN@school.test,Known\nnew@school.test,New\n")
    assert result == invitations.RosterImport(invited=2, already_in_class=0)
    assert session.scalar(select(func.count(User.id))) == users_before, "no account is made"
    assert _enrolled(session, known) == set(), "nothing is enrolled before the owner accepts"
    rows = invitations.list_course_invitations(session, course)
    assert sorted((i.email, i.is_pending) for i in rows) == [
        ("known@school.test", True),
        ("new@school.test", True),
    ]


def test_instructor_addresses_are_invited_like_any_other(session, course):
    colleague = factories.make_instructor(session)
    result = _import(session, course, f"email,name\n{colleague.email},X\n".encode())
    assert result.invited == 1
    assert invitations.list_pending_invitations(session, colleague) == []


def test_students_already_in_the_class_are_counted_not_invited(session, course, student):
    result = _import(session, course, f"email,name\n{student.email},S\nn@school.test,N\n".encode())
    assert result == invitations.RosterImport(invited=1, already_in_class=1)


def test_uploading_again_renews_the_invitation_without_a_second_one(session, course):
    _import(session, course, b"email,name,student_id\na@school.test,A,1\n")
    [first] = invitations.list_course_invitations(session, course)
    student = factories.make_user(session, email="a@school.test")
    invitations.answer_invitation(session, student, first.id, accept=False)
    _import(session, course, b"email,name,student_id\na@school.test,A Renamed,2\n")
    session.expire_all()
    [again] = invitations.list_course_invitations(session, course)
    assert again.id == first.id and again.is_pending
    assert (again.name, again.student_number) == ("A Renamed", "2")


def test_class_links_are_fresh_each_time(session, course, instructor):
    _import(session, course, b"email,name\nnew@school.test,New\n")
    [(invitation, first)] = invitations.make_invitation_links(session, course, instructor, DAY)
    [(_, second)] = invitations.make_invitation_links(session, course, instructor, DAY)
    now = invitation.invited_at + timedelta(minutes=1)
    with pytest.raises(InvalidToken):
        invitations.find_invitation_link(session, first, now)
    assert invitations.find_invitation_link(session, second, now).id == invitation.id


def test_a_link_for_a_new_address_creates_the_account_but_enrols_nothing(
    session, course, instructor
):
    _import(session, course, b"email,name,student_id\nnew@school.test,New One,S-9\n")
    [(_, raw)] = invitations.make_invitation_links(session, course, instructor, DAY)
    invitations.use_invitation_link(session, raw, "a chosen password")
    user = auth.authenticate(session, "new@school.test", "a chosen password")
    assert user.role == Role.STUDENT and user.name == "New One" and user.student_number == "S-9"
    assert _enrolled(session, user) == set()
    with pytest.raises(InvalidToken):
        invitations.use_invitation_link(session, raw, "again")
    [pending] = invitations.list_pending_invitations(session, user)
    invitations.answer_invitation(session, user, pending.id, accept=True)
    assert _enrolled(session, user) == {course.id}


def test_a_link_for_an_existing_account_changes_nothing_of_it(session, course, instructor):
    owner = factories.make_user(session, email="owner@school.test", name="Owner")
    before = (owner.password_hash, owner.name, owner.student_number)
    _import(session, course, b"email,name,student_id\nowner@school.test,Impostor,X-1\n")
    [(_, raw)] = invitations.make_invitation_links(session, course, instructor, DAY)
    invitations.use_invitation_link(session, raw, "the instructor's password")
    session.expire_all()
    assert (owner.password_hash, owner.name, owner.student_number) == before
    assert _enrolled(session, owner) == set()
    with pytest.raises(DomainError):
        auth.authenticate(session, owner.email, "the instructor's password")


def test_the_owner_accepts_or_declines_and_no_one_else_can(session, course):
    second = factories.make_course(session)
    owner = factories.make_user(session, email="owner@school.test")
    stranger = factories.make_user(session)
    _import(session, course, b"email,name\nowner@school.test,O\n")
    _import(session, second, b"email,name,student_id\nowner@school.test,O,77\n")
    first, other = invitations.list_pending_invitations(session, owner)
    with pytest.raises(NotFound):
        invitations.answer_invitation(session, stranger, first.id, accept=True)
    invitations.answer_invitation(session, owner, first.id, accept=False)
    invitations.answer_invitation(session, owner, other.id, accept=True)
    assert _enrolled(session, owner) == {second.id}
    assert owner.student_number == "77", "filled in from the accepted invitation"
    with pytest.raises(NotFound):
        invitations.answer_invitation(session, owner, first.id, accept=True)


def test_every_step_is_logged_with_who_and_when(session, course, instructor):
    owner = factories.make_user(session, email="owner@school.test")
    _import(session, course, b"email,name\nowner@school.test,O\n")
    [(invitation, raw)] = invitations.make_invitation_links(session, course, instructor, DAY)
    invitations.use_invitation_link(session, raw, "a chosen password")
    invitations.answer_invitation(session, owner, invitation.id, accept=True)
    events = audit.list_events(session, email="owner@school.test")
    assert [(e.action, e.actor_id) for e in events] == [
        (AuditAction.INVITE, instructor.id),
        (AuditAction.INVITE_LINK_MADE, instructor.id),
        (AuditAction.INVITE_LINK_USED, None),
        (AuditAction.INVITE_ACCEPTED, owner.id),
    ]
    assert all(e.course_id == course.id and e.at is not None for e in events)
    assert events[2].detail == "account exists; left unchanged"


def test_password_links_only_for_accounts_used_only_in_ones_own_classes(
    session, course, instructor, student
):
    _, purpose, _ = services.create_reset_link(session, course, instructor, student.id, DAY)
    elsewhere = factories.make_course(session)
    factories.make_enrollment(session, elsewhere, student)
    services.drop_student(session, elsewhere, student.id)
    with pytest.raises(DomainError, match="only a site administrator"):
        services.create_reset_link(session, course, instructor, student.id, DAY)
    admin = factories.make_instructor(session, is_admin=True)
    services.add_co_instructor(session, course, admin.email)
    assert services.create_reset_link(session, course, admin, student.id, DAY)[0] is student
    actions = [e.action for e in audit.list_events(session, email=student.email)]
    assert actions == [
        AuditAction.PASSWORD_LINK_MADE,
        AuditAction.PASSWORD_LINK_REFUSED,
        AuditAction.PASSWORD_LINK_MADE,
    ]


def test_a_co_taught_students_password_link_is_allowed(session, course, instructor, student):
    second = factories.make_course(session, instructor)
    factories.make_enrollment(session, second, student)
    assert services.create_reset_link(session, course, instructor, student.id, DAY)[0] is student


def _roster(rows: int) -> bytes:
    lines = [b"email,name,student_id"]
    lines += [b"student%06d@school.test,Student Number %06d,S%06d" % (i, i, i) for i in range(rows)]
    return b"\n".join(lines) + b"\n"


def _megabyte_roster() -> bytes:
    rows = MAX // len(b"student000000@school.test,Student Number 000000,S000000\n")
    data = _roster(rows)
    assert MAX - 100 < len(data) <= MAX
    return data


def test_a_one_megabyte_roster_imports_in_bounded_statements_per_chunk(app, session, course):
    data = _megabyte_roster()
    engine = app.extensions["studyapp.engine"]
    log: list[tuple[str, int]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        log.append((statement.split()[0].upper(), len(parameters) if executemany else 1))

    commits = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = _import(session, course, data, end_chunk=lambda: commits.append(len(log)))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    rows = data.count(b"\n") - 1
    assert result.invited == rows > 18_000
    chunks = -(-rows // invitations.CHUNK_ROWS)
    assert len(commits) == chunks
    # Two reads up front, then per chunk: one insert of invitations, one of log entries.
    assert len(log) <= 2 + 2 * chunks, log[:10]
    starts = [0, *commits]
    for begin, end in zip(starts, starts[1:], strict=False):
        written = [n for verb, n in log[begin:end] if verb == "INSERT"]
        assert max(written) <= invitations.CHUNK_ROWS
    assert session.scalar(select(func.count(ClassInvitation.id))) == rows


def test_another_users_save_goes_through_between_chunks_of_a_large_import(app, session, course):
    """On SQLite a writer waits for the whole transaction of another: with the import in
    chunks, a save made while the import runs (here: between its chunks, on another
    connection that waits at most 0.2 s) succeeds instead of being refused."""
    other = factories.make_user(session)
    session.commit()
    url = app.config["DATABASE_URL"]
    impatient = create_engine(
        url, connect_args={"timeout": 0.2} if url.startswith("sqlite") else {}
    )
    saved: list[int] = []

    def save_elsewhere() -> None:
        with impatient.begin() as conn:
            conn.execute(update(User).where(User.id == other.id).values(name=f"Saved {len(saved)}"))
        saved.append(1)

    def end_chunk() -> None:
        session.commit()
        save_elsewhere()

    try:
        result = _import(session, course, _roster(2_000), end_chunk=end_chunk, chunk_rows=500)
    finally:
        impatient.dispose()
    assert result.invited == 2_000 and len(saved) == 4
