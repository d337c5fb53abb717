"""Launches that pass: sign-in by (issuer, sub), roles, classes linked or created, iframes."""

from __future__ import annotations

from sqlalchemy import select

from studyapp.auth.models import Role, User
from studyapp.classes.models import Course, CourseInstructor, Enrollment
from studyapp.lti.models import Context, PlatformUser
from tests import factories
from tests.lti.conftest import launch, start_login
from tests.lti.platform import INSTRUCTOR, LEARNER

TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def test_first_instructor_launch_creates_the_class_and_signs_in(lti_app, lms, session):
    client = lti_app.test_client()
    response = launch(client, lms)
    course = session.scalar(select(Course))
    assert course.name == "LMS course-1"
    assert response.headers["Location"] == f"/teach/classes/{course.id}"
    assert client.get(f"/teach/classes/{course.id}").status_code == 200
    user = session.scalar(select(User))
    assert user.role == Role.INSTRUCTOR and user.name == "Person lms-user-1"
    # The next launch finds the same account and class.
    assert launch(lti_app.test_client(), lms).status_code == 302
    assert session.scalars(select(User)).all() == [user]
    assert len(session.scalars(select(Context)).all()) == 1


def test_students_join_the_linked_class_and_map_by_role(lti_app, lms, session):
    early = launch(lti_app.test_client(), lms, sub="s1", roles=(LEARNER,))
    assert "has not opened studyapp from this LMS course" in early.get_data(as_text=True)
    launch(lti_app.test_client(), lms)
    client = lti_app.test_client()
    response = launch(client, lms, sub="s1", roles=(LEARNER,))
    course = session.scalar(select(Course))
    assert response.headers["Location"] == f"/classes/{course.id}"
    student = session.scalar(select(PlatformUser).where(PlatformUser.sub == "s1")).user
    assert student.role == Role.STUDENT
    assert session.scalar(select(Enrollment)).user_id == student.id
    assert client.get(f"/classes/{course.id}").status_code == 200
    launch(lti_app.test_client(), lms, sub="ta", roles=(TA,))
    ta = session.scalar(select(PlatformUser).where(PlatformUser.sub == "ta")).user
    assert ta.role == Role.INSTRUCTOR
    assert session.scalar(select(CourseInstructor).where(CourseInstructor.user_id == ta.id))


def test_an_lms_role_that_contradicts_the_account_is_refused(lti_app, lms):
    launch(lti_app.test_client(), lms)
    response = launch(lti_app.test_client(), lms, roles=(LEARNER,))
    assert response.status_code == 400
    assert "instructor account, but the LMS launched you as a student" in response.get_data(
        as_text=True
    )


def test_an_instructor_with_classes_links_the_lms_course_to_one(lti_app, lms, session):
    launch(lti_app.test_client(), lms)
    course = session.scalar(select(Course))
    client = lti_app.test_client()
    response = launch(client, lms, context="course-2")
    assert response.headers["Location"] == "/lti/link"
    page = client.get("/lti/link").get_data(as_text=True)
    assert "LMS course-2" in page and "A new class" in page
    response = client.post("/lti/link", data={"course": str(course.id)})
    assert response.headers["Location"] == f"/teach/classes/{course.id}"
    linked = session.scalars(select(Context).order_by(Context.id)).all()
    assert [c.course_id for c in linked] == [course.id, course.id]
    assert len(session.scalars(select(Course)).all()) == 1


def test_linking_to_a_class_one_does_not_teach_is_refused(lti_app, lms, session):
    other = factories.make_course(session, factories.make_instructor(session))
    session.commit()
    launch(lti_app.test_client(), lms)
    client = lti_app.test_client()
    launch(client, lms, context="course-2")
    response = client.post("/lti/link", data={"course": str(other.id)})
    assert response.status_code == 200  # not a choice: the form shows its error again
    assert session.scalar(select(Context).where(Context.context_id == "course-2")) is None


def test_after_a_launch_the_lms_may_frame_our_pages(lti_app, lms):
    client = lti_app.test_client()
    assert "frame-ancestors 'none'" in client.get("/login").headers["Content-Security-Policy"]
    response = launch(client, lms)
    page = client.get(response.headers["Location"])
    assert f"frame-ancestors {lms.url}" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers


def test_the_signed_return_url_adds_the_school_domain_to_the_framers(lti_app, lms):
    client = lti_app.test_client()
    presentation = {"return_url": "https://school.instructure.com/courses/1/external_content"}
    response = launch(
        client,
        lms,
        **{"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": presentation},
    )
    csp = client.get(response.headers["Location"]).headers["Content-Security-Policy"]
    framers = csp.split("frame-ancestors ")[1].split(";")[0].split()
    assert framers == [lms.url, "https://school.instructure.com"]


def test_cookies_are_cross_site_when_configured(make_app, lms):
    from studyapp.lti import platforms

    app = make_app(LTI_CROSS_SITE_COOKIES=True)
    s = app.extensions["studyapp.sessionmaker"]()
    platforms.register_platform(s, lms.registration())
    s.commit()
    s.close()
    client = app.test_client()
    params = {"iss": lms.issuer, "login_hint": "h", "target_link_uri": "http://localhost/x"}
    cookie = client.get("/lti/login", query_string=params).headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None" and app.config["SESSION_COOKIE_SECURE"]
    default = make_app()
    s = default.extensions["studyapp.sessionmaker"]()
    platforms.register_platform(s, lms.registration())
    s.commit()
    s.close()
    cookie = default.test_client().get("/lti/login", query_string=params).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_platform_key_set_is_cached_and_refetched_for_a_new_kid(lti_app, lms, session):
    from datetime import timedelta

    from sqlalchemy import update

    from studyapp.core.clock import utcnow
    from studyapp.lti.models import Platform

    launch(lti_app.test_client(), lms)
    launch(lti_app.test_client(), lms)
    assert len(lms.requests_to("/jwks")) == 1
    # Ten minutes on, the LMS rotates its key: the cached set (good for a day) lacks the kid.
    session.execute(update(Platform).values(jwks_fetched_at=utcnow() - timedelta(minutes=10)))
    session.commit()
    lms.rotate()
    assert launch(lti_app.test_client(), lms).status_code == 302
    assert len(lms.requests_to("/jwks")) == 2


def test_platform_storage_stands_in_for_a_blocked_cookie(lti_app, lms, session):
    """The lti-cs-oidc flow: our secret goes to the LMS's storage frame and comes back."""
    from studyapp.lti.models import LaunchState

    browser = lti_app.test_client()
    params = {
        "iss": lms.issuer,
        "login_hint": "h",
        "target_link_uri": "http://localhost/lti/launch",
        "lti_storage_target": "post_message_forwarding",
    }
    page = browser.get("/lti/login", query_string=params).get_data(as_text=True)
    assert 'data-mode="put"' in page and 'data-target="post_message_forwarding"' in page
    assert f'data-origin="{lms.url}"' in page
    state = page.split('data-key="studyapp-state-')[1].split('"')[0]
    binding = page.split('data-value="')[1].split('"')[0]
    nonce = session.scalar(select(LaunchState.nonce))
    browser.delete_cookie(next(c.key for c in browser._cookies.values()))  # blocked
    token = lms.sign(lms.claims(nonce))
    page = browser.post("/lti/launch", data={"id_token": token, "state": state})
    assert page.status_code == 200 and 'data-mode="get"' in page.get_data(as_text=True)
    assert client_not_signed_in(browser)
    done = browser.post("/lti/launch/confirm", data={"state": state, "binding": binding})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert 'href="/teach/classes/1">Continue here' in page
    again = browser.post("/lti/launch/confirm", data={"state": state, "binding": binding})
    assert again.status_code == 403 and "already used" in again.get_data(as_text=True)
    # The new-window link signs in a browser that has no cookie of ours, once.
    resume = page.split('href="/lti/resume/')[1].split('"')[0]
    window = lti_app.test_client()
    opened = window.get(f"/lti/resume/{resume}")
    assert opened.headers["Location"] == "/teach/classes/1"
    assert window.get("/teach/classes/1").status_code == 200
    refused = lti_app.test_client().get(f"/lti/resume/{resume}")
    assert refused.status_code == 403 and "used or expired" in refused.get_data(as_text=True)


def client_not_signed_in(client) -> bool:
    return client.get("/").status_code == 302


def test_login_initiation_by_post_works_too(lti_app, lms):
    client = lti_app.test_client()
    response = client.post(
        "/lti/login",
        data={
            "iss": lms.issuer,
            "login_hint": "h",
            "target_link_uri": "http://localhost/lti/launch",
        },
    )
    assert response.status_code == 302 and "nonce=" in response.headers["Location"]
    assert start_login(client, lms)["redirect_uri"] == "http://localhost/lti/launch"


def test_student_account_names_follow_the_lms(lti_app, lms, session):
    launch(lti_app.test_client(), lms, roles=(INSTRUCTOR,))
    launch(lti_app.test_client(), lms, sub="s1", roles=(LEARNER,), name="Ada L.")
    user = session.scalar(select(PlatformUser).where(PlatformUser.sub == "s1")).user
    assert user.name == "Ada L."
