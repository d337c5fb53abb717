"""Rules for classes, enrolment, join codes and roster imports."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from studyapp.auth.models import User
from studyapp.classes import invitations, services
from studyapp.classes.models import JOIN_ALPHABET, ClassInvitation, EnrollmentStatus
from studyapp.core.errors import DomainError, NotFound, RosterError, UnknownJoinCode
from tests import factories

MAX = 1024 * 1024


def test_new_class_has_a_readable_join_code(session, instructor):
    course = services.create_course(session, instructor, name=" Russia & Turkey ", term="Spring")
    assert course.name == "Russia & Turkey"
    assert len(course.join_code) == 8 and set(course.join_code) <= set(JOIN_ALPHABET)


def test_join_code_is_forgiving_about_case_and_spaces(session, course):
    newcomer = factories.make_user(session)
    code = course.join_code.lower()
    joined = services.join_with_code(session, f" {code[:4]} {code[4:]} ", newcomer)
    assert joined.id == course.id


def test_rotated_code_replaces_the_old_one(session, course):
    old = course.join_code
    services.rotate_join_code(session, course)
    with pytest.raises(UnknownJoinCode):
        services.find_open_course(session, old)
    assert services.find_open_course(session, course.join_code) is course


def test_disabled_code_looks_unknown(session, course):
    services.set_join_enabled(session, course, False)
    with pytest.raises(UnknownJoinCode):
        services.find_open_course(session, course.join_code)


def test_sign_up_needs_a_valid_code_and_creates_nothing_without_it(session, course):
    with pytest.raises(UnknownJoinCode):
        services.sign_up_with_code(
            session, "WRONGCOD", email="a@school.test", name="A", password="x" * 12
        )
    assert session.scalar(select(User).where(User.email == "a@school.test")) is None


def test_sign_up_with_a_taken_email_leaves_that_account_alone(session, course, student):
    other = factories.make_course(session)
    before = (student.password_hash, student.name)
    user, joined = services.sign_up_with_code(
        session, other.join_code, email=student.email.upper(), name="B", password="x" * 12
    )
    assert user is None and joined is other
    assert (student.password_hash, student.name) == before
    assert [e.course_id for e in services.list_enrollments_of(session, student)] == [course.id]


def test_instructors_cannot_join_as_students(session, course):
    other = factories.make_instructor(session)
    with pytest.raises(DomainError):
        services.join_with_code(session, course.join_code, other)


def test_student_in_several_classes_sees_all(session, student, course):
    second = factories.make_course(session)
    factories.make_enrollment(session, second, student)
    assert {e.course_id for e in services.list_enrollments_of(session, student)} == {
        course.id,
        second.id,
    }


def test_dropping_keeps_the_enrolment_and_readding_restores_it(session, course, student):
    enrollment = services.drop_student(session, course, student.id)
    assert enrollment.status == EnrollmentStatus.DROPPED and enrollment.dropped_at is not None
    with pytest.raises(NotFound):
        services.get_attended_course(session, course.id, student)
    assert session.get(User, student.id) is not None
    with pytest.raises(services.DroppedFromClass):
        services.join_with_code(session, course.join_code, student)
    services.readd_student(session, course, student.id)
    assert services.get_attended_course(session, course.id, student) is course


def test_other_instructors_class_is_not_found(session, course):
    stranger = factories.make_instructor(session)
    with pytest.raises(NotFound):
        services.get_taught_course(session, course.id, stranger)


def test_co_instructor_gets_access(session, course):
    colleague = factories.make_instructor(session, email="Colleague@School.test")
    services.add_co_instructor(session, course, "colleague@school.test")
    assert services.get_taught_course(session, course.id, colleague) is course
    with pytest.raises(DomainError, match="already teaches"):
        services.add_co_instructor(session, course, "colleague@school.test")


def test_co_instructor_must_be_an_instructor(session, course, student):
    with pytest.raises(DomainError):
        services.add_co_instructor(session, course, student.email)


def _users(session) -> int:
    return session.scalar(select(func.count(User.id)))


def _invitations(session) -> int:
    return session.scalar(select(func.count(ClassInvitation.id)))


def _import(session, course, data: bytes, max_rows: int = 1000):
    instructor = course.instructors[0].user
    return invitations.import_roster(
        session, course, instructor, data, max_bytes=MAX, max_rows=max_rows
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"mail,fullname\na@b.test,A\n", "row 1: the header is 'mail,fullname'"),
        (b"email,name\n", "header but no students"),
        ("email,name\na@b.test,Zo\xeb\n".encode("latin-1"), "not UTF-8"),
        (b"email,name\nnot-an-email,A\n", "row 2: 'not-an-email' is not a valid email address"),
        (b"email,name\na@b.test,\n", "row 2: the name is empty"),
        (b"email,name\na@b.test,A,extra\n", "row 2: expected 2 columns, found 3"),
        (b"email,name\na@b.test,A\nA@B.test,B\n", "row 3: a@b.test is already on row 2"),
        (b'email,name\na@b.test,=HYPERLINK("x")\n', "row 2: '=HYPERLINK(\"x\")' starts with '='"),
        (b"email,name\na@b.test,@SUM(1)\n", "starts with '@'"),
        (
            b"email,name,student_id\na@b.test,A," + b"9" * 65 + b"\n",
            "row 2: the student_id is longer than 64 characters",
        ),
    ],
)
def test_bad_roster_names_the_row_and_imports_nothing(session, course, data, message):
    before = _users(session)
    with pytest.raises(RosterError) as exc:
        _import(session, course, data)
    assert any(message in p for p in exc.value.problems), exc.value.problems
    assert _users(session) == before and _invitations(session) == 0


def test_one_bad_row_blocks_the_whole_file(session, course):
    data = b"email,name\ngood@school.test,Good\nbad-email,Bad\nfine@school.test,Fine\n"
    with pytest.raises(RosterError) as exc:
        _import(session, course, data)
    assert exc.value.problems == ["row 3: 'bad-email' is not a valid email address"]
    assert _invitations(session) == 0


def test_oversized_roster_is_refused_unread(session, course):
    data = b"email,name\n" + b"x" * (10 * 1024 * 1024)
    with pytest.raises(RosterError, match="problem") as exc:
        _import(session, course, data)
    assert "limit is 1024 KB" in exc.value.problems[0]


def test_roster_with_too_many_rows_is_refused_up_front_naming_the_limit(session, course):
    data = b"email,name\n" + b"".join(b"s%d@school.test,S\n" % i for i in range(11))
    with pytest.raises(RosterError) as exc:
        _import(session, course, data, max_rows=10)
    assert exc.value.problems == [
        "The file has 11 lines after the header; the limit is 10 students per upload. "
        "Split it into several files."
    ]
    assert _invitations(session) == 0


def test_roster_cell_over_128_kib_names_its_row_and_changes_nothing(session, course):
    data = b"email,name\nok@school.test,Ok\nbig@school.test," + b"x" * (129 * 1024) + b"\n"
    with pytest.raises(RosterError) as exc:
        _import(session, course, data)
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith("row 3: this row cannot be read (field larger than")
    assert _invitations(session) == 0


def test_unclosed_quote_names_its_row(session, course):
    data = b'email,name\nok@school.test,Ok\nq@school.test,"never closed\n' + b"y," * 70_000
    with pytest.raises(RosterError) as exc:
        _import(session, course, data)
    assert exc.value.problems[0].startswith("row 3: this row cannot be read")


def test_a_file_wrong_throughout_lists_a_bounded_number_of_problems(session, course):
    data = b"email,name\n" + b"".join(b"bad%d,B\n" % i for i in range(500))
    with pytest.raises(RosterError) as exc:
        _import(session, course, data)
    assert len(exc.value.problems) == invitations.MAX_PROBLEMS_SHOWN + 1
    assert exc.value.problems[-1] == "… and 400 more problems"


def test_reset_link_only_for_students_of_the_class(session, course, instructor, student):
    outsider = factories.make_user(session)
    user, purpose, raw = services.create_reset_link(
        session, course, instructor, student.id, timedelta(hours=1)
    )
    assert user is student and raw
    with pytest.raises(NotFound):
        services.create_reset_link(session, course, instructor, outsider.id, timedelta(hours=1))


def test_an_email_starting_with_a_dash_imports_as_written(session, course):
    # The exports' formula guard leaves such an address alone so importers can match it;
    # the roster must accept it by the same rule, or the student could never be added.
    _import(session, course, b"email,name\n-dash.lee@school.test,Dash Lee\n")
    assert session.scalar(select(ClassInvitation.email)) == "-dash.lee@school.test"
