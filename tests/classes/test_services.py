"""Rules for classes, enrolment, join codes and roster imports."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from studyapp.auth import services as auth
from studyapp.auth.models import Role, TokenPurpose, User
from studyapp.classes import services
from studyapp.classes.models import JOIN_ALPHABET, EnrollmentStatus
from studyapp.core.errors import DomainError, InvalidToken, NotFound, RosterError, UnknownJoinCode
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


def test_sign_up_with_a_taken_email_is_refused(session, course, student):
    with pytest.raises(DomainError, match="already exists"):
        services.sign_up_with_code(
            session, course.join_code, email=student.email.upper(), name="B", password="x" * 12
        )


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
    services.join_with_code(session, course.join_code, student)
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


def test_roster_import_creates_pending_accounts(session, course):
    data = b'email,name,student_id\nAli@School.test,Ali Veli,S-1\nbo@school.test,"Bo, Jr.",\n'
    result = services.import_roster(session, course, data, MAX)
    assert [u.email for u in result.created] == ["ali@school.test", "bo@school.test"]
    ali = result.created[0]
    assert ali.role == Role.STUDENT and not ali.is_activated and ali.student_number == "S-1"
    assert result.created[1].name == "Bo, Jr."


def test_roster_enrols_existing_students_without_new_accounts(session, course):
    other = factories.make_user(session, email="known@school.test")
    result = services.import_roster(session, course, b"email,name\nKNOWN@school.test,Known\n", MAX)
    assert result.enrolled_existing == [other] and not result.created


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
    ],
)
def test_bad_roster_names_the_row_and_imports_nothing(session, course, data, message):
    before = _users(session)
    with pytest.raises(RosterError) as exc:
        services.import_roster(session, course, data, MAX)
    assert any(message in p for p in exc.value.problems), exc.value.problems
    assert _users(session) == before


def test_one_bad_row_blocks_the_whole_file(session, course):
    data = b"email,name\ngood@school.test,Good\nbad-email,Bad\nfine@school.test,Fine\n"
    before = _users(session)
    with pytest.raises(RosterError) as exc:
        services.import_roster(session, course, data, MAX)
    assert exc.value.problems == ["row 3: 'bad-email' is not a valid email address"]
    assert _users(session) == before


def test_oversized_roster_is_refused_unread(session, course):
    data = b"email,name\n" + b"x" * (10 * 1024 * 1024)
    with pytest.raises(RosterError, match="problem") as exc:
        services.import_roster(session, course, data, MAX)
    assert "limit is 1024 KB" in exc.value.problems[0]


def test_instructor_email_in_roster_is_a_row_error(session, course, instructor):
    with pytest.raises(RosterError) as exc:
        services.import_roster(session, course, f"email,name\n{instructor.email},X\n".encode(), MAX)
    assert exc.value.problems == [f"row 2: {instructor.email} belongs to an instructor account"]


def test_activation_links_only_for_pending_students_and_fresh_each_time(
    session, course, instructor
):
    services.import_roster(session, course, b"email,name\nnew@school.test,New\n", MAX)
    first = services.activation_links(session, course, instructor, timedelta(days=1))
    assert [u.email for u, _ in first] == ["new@school.test"]
    second = services.activation_links(session, course, instructor, timedelta(days=1))
    with pytest.raises(InvalidToken):
        auth.peek_token(session, first[0][1], TokenPurpose.ACTIVATION)
    assert auth.peek_token(session, second[0][1], TokenPurpose.ACTIVATION)


def test_reset_link_only_for_students_of_the_class(session, course, instructor, student):
    outsider = factories.make_user(session)
    user, purpose, raw = services.create_reset_link(
        session, course, instructor, student.id, timedelta(hours=1)
    )
    assert user is student and raw
    with pytest.raises(NotFound):
        services.create_reset_link(session, course, instructor, outsider.id, timedelta(hours=1))
