"""Rules for classes: who teaches and attends them, join codes, rosters and password help."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.services import close_open_attempts
from studyapp.auth import audit
from studyapp.auth import services as auth
from studyapp.auth.models import AuditAction, Role, TokenPurpose, User
from studyapp.classes.models import Course, CourseInstructor, Enrollment, EnrollmentStatus
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound, UnknownJoinCode


def create_course(session: Session, instructor: User, *, name: str, term: str) -> Course:
    """Create a class taught by ``instructor``, with a fresh join code."""
    course = Course(name=name.strip(), term=term.strip())
    course.instructors.append(CourseInstructor(user=instructor))
    session.add(course)
    session.flush()
    return course


def list_courses_taught(session: Session, instructor: User) -> list[Course]:
    return list(
        session.scalars(
            select(Course)
            .join(CourseInstructor)
            .where(CourseInstructor.user_id == instructor.id)
            .order_by(Course.created_at.desc())
        )
    )


def list_enrollments_of(session: Session, student: User) -> list[Enrollment]:
    """A student's classes, current ones first."""
    return list(
        session.scalars(
            select(Enrollment)
            .options(selectinload(Enrollment.course))
            .where(Enrollment.user_id == student.id)
            .order_by(Enrollment.status, Enrollment.joined_at.desc())
        )
    )


def get_taught_course(session: Session, course_id: int, instructor: User) -> Course:
    """Load a class the instructor teaches; any other class is 'not found'."""
    course = session.scalar(
        select(Course)
        .join(CourseInstructor)
        .where(Course.id == course_id, CourseInstructor.user_id == instructor.id)
    )
    if course is None:
        raise NotFound("No such class.")
    return course


def get_attended_course(session: Session, course_id: int, student: User) -> Course:
    """Load a class the student is actively enrolled in; any other class is 'not found'."""
    course = session.scalar(
        select(Course)
        .join(Enrollment)
        .where(
            Course.id == course_id,
            Enrollment.user_id == student.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    )
    if course is None:
        raise NotFound("No such class.")
    return course


def list_roster(session: Session, course: Course) -> list[Enrollment]:
    return list(
        session.scalars(
            select(Enrollment)
            .join(User)
            .options(selectinload(Enrollment.user))
            .where(Enrollment.course_id == course.id)
            .order_by(Enrollment.status, User.name)
        )
    )


def list_course_instructors(session: Session, course: Course) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(CourseInstructor)
            .where(CourseInstructor.course_id == course.id)
            .order_by(User.name)
        )
    )


def rotate_join_code(session: Session, course: Course) -> str:
    course.rotate_join_code()
    session.flush()
    return course.join_code


def set_join_enabled(session: Session, course: Course, enabled: bool) -> None:
    course.join_enabled = enabled
    session.flush()


def add_co_instructor(session: Session, course: Course, email: str) -> User:
    """Give another instructor account access to this class."""
    user = auth.get_user_by_email(session, email)
    if user is None or user.role != Role.INSTRUCTOR:
        raise DomainError("No instructor account has this email. Ask a site admin to create it.")
    if any(ci.user_id == user.id for ci in course.instructors):
        raise DomainError(f"{user.name} already teaches this class.")
    course.instructors.append(CourseInstructor(user=user))
    session.flush()
    return user


def find_open_course(session: Session, code: str) -> Course:
    """The class a join code opens; disabled or unknown codes look the same."""
    normalized = "".join(code.split()).upper()
    course = session.scalar(select(Course).where(Course.join_code == normalized))
    if course is None or not course.join_enabled:
        raise UnknownJoinCode("No class accepts this join code. Check it with your instructor.")
    return course


class DroppedFromClass(DomainError):
    """A dropped student tried to come back on their own; only an instructor re-adds them."""


def enroll(
    session: Session, course: Course, student: User, by_instructor: bool = True
) -> Enrollment:
    """Enrol a student, or bring back one who was dropped (an instructor's decision only)."""
    if student.role != Role.STUDENT:
        raise DomainError("Only student accounts can join a class.")
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.user_id == student.id
        )
    )
    if enrollment is None:
        enrollment = Enrollment(course=course, user=student)
        session.add(enrollment)
    elif not enrollment.is_active and not by_instructor:
        raise DroppedFromClass(
            f"You were removed from {course.name}; ask your instructor to add you again."
        )
    else:
        enrollment.reactivate()
    session.flush()
    return enrollment


def join_with_code(session: Session, code: str, student: User) -> Course:
    """Join a class by its code; a student the class dropped cannot rejoin this way."""
    course = find_open_course(session, code)
    enroll(session, course, student, by_instructor=False)
    return course


def sign_up_with_code(
    session: Session,
    code: str,
    *,
    email: str,
    name: str,
    password: str,
    timezone: str | None = None,
) -> tuple[User | None, Course]:
    """Create a student account through a join code; without a valid code there is no sign-up.

    An address that already has an account is not an error: that account is left as it
    is, the password is hashed and thrown away so both paths take as long, and the caller
    answers both the same way (log in to continue), so sign-up tells no one whether an
    address is registered. Returns the new account, or None when there was one already.
    """
    course = find_open_course(session, code)
    if not auth.is_valid_email(auth.normalize_email(email)):
        raise DomainError(f"'{email}' is not a valid email address.")
    if auth.get_user_by_email(session, email) is not None:
        auth.hash_and_discard(password)
        return None, course
    user = auth.create_user(session, email=email, name=name, role=Role.STUDENT, password=password)
    auth.set_timezone(session, user, timezone)
    enroll(session, course, user)
    return user, course


def get_enrollment(session: Session, course: Course, user_id: int) -> Enrollment:
    enrollment = session.scalar(
        select(Enrollment)
        .options(selectinload(Enrollment.user))
        .where(Enrollment.course_id == course.id, Enrollment.user_id == user_id)
    )
    if enrollment is None:
        raise NotFound("No such student in this class.")
    return enrollment


def drop_student(session: Session, course: Course, user_id: int) -> Enrollment:
    """Mark a student dropped; their work stays, and their open attempts are graded now.

    Closing the attempts at once means a dropped student's later saves and submits are
    refused like any on a closed attempt.
    """
    enrollment = get_enrollment(session, course, user_id)
    now = utcnow()
    enrollment.drop(now)
    session.flush()
    close_open_attempts(session, course.id, user_id, now)
    return enrollment


def readd_student(session: Session, course: Course, user_id: int) -> Enrollment:
    enrollment = get_enrollment(session, course, user_id)
    enrollment.reactivate()
    session.flush()
    return enrollment


def create_reset_link(
    session: Session, course: Course, instructor: User, user_id: int, ttl: timedelta
) -> tuple[User, TokenPurpose, str]:
    """A one-time password link for a student of this class, to hand over in person.

    A student who never activated their account gets a fresh activation link instead.
    """
    student = get_enrollment(session, course, user_id).user
    if not may_make_password_link(session, instructor, student):
        audit.record(
            session,
            AuditAction.PASSWORD_LINK_REFUSED,
            actor=instructor,
            user=student,
            course_id=course.id,
        )
        raise DomainError(
            f"{student.name}'s account is also used outside the classes you teach, so only "
            "a site administrator can make a password link for it."
        )
    auth.revoke_tokens(session, student, TokenPurpose.RESET)
    purpose = TokenPurpose.RESET if student.is_activated else TokenPurpose.ACTIVATION
    if purpose is TokenPurpose.ACTIVATION:
        auth.revoke_tokens(session, student, purpose)
    raw = auth.issue_token(session, purpose, ttl, user=student, created_by=instructor)
    audit.record(
        session,
        AuditAction.PASSWORD_LINK_MADE,
        actor=instructor,
        user=student,
        course_id=course.id,
        detail=f"{purpose.value} link",
    )
    return student, purpose, raw


def may_make_password_link(session: Session, instructor: User, student: User) -> bool:
    """Whether ``instructor`` may set this account's password through a one-time link.

    Site admins may. Other instructors only for an account every class of which (dropped
    ones too) they teach: a password link hands over the whole site-wide account, so it
    must not reach into anyone else's class.
    """
    if instructor.is_admin:
        return True
    taught = select(CourseInstructor.course_id).where(CourseInstructor.user_id == instructor.id)
    elsewhere = session.scalar(
        select(Enrollment.id)
        .where(Enrollment.user_id == student.id, Enrollment.course_id.not_in(taught))
        .limit(1)
    )
    return elsewhere is None
