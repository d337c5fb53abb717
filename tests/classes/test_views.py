"""Class pages through HTTP: joining, managing, rosters and downloads."""

import csv
import io

from sqlalchemy import select

from studyapp.auth.models import User
from tests import factories
from tests.conftest import login


def test_instructor_creates_a_class_and_sees_its_code(instructor_client, session):
    response = instructor_client.post(
        "/teach/classes/new", data={"name": "IR 201", "term": "Spring"}
    )
    assert response.status_code == 302
    page = instructor_client.get(response.headers["Location"])
    assert b"IR 201" in page.data and b'data-testid="join-code"' in page.data


def test_visitor_signs_up_with_a_join_code(client, course, session):
    response = client.post(
        "/join",
        data={
            "code": course.join_code,
            "name": "Deniz",
            "email": "Deniz@school.test",
            "password": "long password 1",
            "confirm": "long password 1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?email=Deniz@school.test"
    assert client.get("/").status_code == 302, "signing up does not log in"
    login(client, "deniz@school.test", "long password 1")
    home = client.get("/")
    assert course.name.encode() in home.data


def test_unknown_join_code_is_explained(client, session):
    page = client.post(
        "/join",
        data={
            "code": "NOPE1234",
            "name": "X",
            "email": "x@school.test",
            "password": "long password 1",
            "confirm": "long password 1",
        },
    )
    assert b"No class accepts this join code" in page.data
    assert session.scalar(select(User).where(User.email == "x@school.test")) is None


def test_logged_in_student_joins_a_second_class(student_client, course, session):
    second = factories.make_course(session, name="Second class")
    session.commit()
    student_client.post("/join", data={"code": second.join_code})
    home = student_client.get("/").get_data(as_text=True)
    assert course.name in home and "Second class" in home


def test_instructor_of_another_class_gets_404(app, course, session):
    stranger = factories.make_instructor(session)
    session.commit()
    c = app.test_client()
    login(c, stranger.email)
    assert c.get(f"/teach/classes/{course.id}").status_code == 404
    assert c.post(f"/teach/classes/{course.id}/join-code").status_code == 404
    assert c.get("/teach/classes/999999").status_code == 404


def test_student_cannot_open_instructor_pages(student_client, course):
    assert student_client.get(f"/teach/classes/{course.id}").status_code == 403


def test_student_sees_only_own_classes(student_client, course, session):
    other = factories.make_course(session)
    session.commit()
    assert student_client.get(f"/classes/{course.id}").status_code == 200
    assert student_client.get(f"/classes/{other.id}").status_code == 404


def test_dropped_student_loses_the_class_page(instructor_client, student_client, course, student):
    instructor_client.post(f"/teach/classes/{course.id}/students/{student.id}/drop")
    assert student_client.get(f"/classes/{course.id}").status_code == 404
    roster = instructor_client.get(f"/teach/classes/{course.id}").get_data(as_text=True)
    assert student.name in roster and "dropped" in roster


def test_roster_upload_reports_rows_and_imports_nothing(instructor_client, course, session):
    data = {"file": (io.BytesIO(b"email,name\nok@school.test,Ok\nbad,Bad\n"), "roster.csv")}
    page = instructor_client.post(
        f"/teach/classes/{course.id}/roster", data=data, content_type="multipart/form-data"
    )
    assert b"row 3: &#39;bad&#39; is not a valid email address" in page.data
    assert session.scalar(select(User).where(User.email == "ok@school.test")) is None


def test_roster_upload_then_class_links_csv(app, instructor_client, course):
    roster = 'email,name,student_id\nnew1@school.test,"Öztürk, Ayşe",1001\n-@x.test,=Bad,\n'
    page = instructor_client.post(
        f"/teach/classes/{course.id}/roster",
        data={"file": (io.BytesIO(roster.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert b"starts with" in page.data, "a formula-looking row is refused"
    roster = 'email,name,student_id\nnew1@school.test,"Öztürk, Ayşe",1001\nnew2@school.test,Bo,\n'
    page = instructor_client.post(
        f"/teach/classes/{course.id}/roster",
        data={"file": (io.BytesIO(roster.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert b"2 student(s) invited" in page.data
    download = instructor_client.post(f"/teach/classes/{course.id}/roster/invitation-links.csv")
    assert download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert sorted(r["name"] for r in rows) == ["Bo", "Öztürk, Ayşe"]
    link = next(r["class_link"] for r in rows if r["email"] == "new1@school.test")
    path = link.split("localhost", 1)[1]
    fresh = app.test_client()
    done = fresh.post(path, data={"password": "chosen password", "confirm": "chosen password"})
    assert done.headers["Location"] == "/login?email=new1@school.test"
    login(fresh, "new1@school.test", "chosen password")
    home = fresh.get("/").get_data(as_text=True)
    assert "Invitations" in home and "Accept and join" in home
    assert course.name not in fresh.get(f"/classes/{course.id}").get_data(as_text=True)


def test_password_link_for_a_student(instructor_client, course, student):
    page = instructor_client.post(f"/teach/classes/{course.id}/students/{student.id}/password-link")
    assert b"/reset/" in page.data


def test_co_instructor_added_by_email(app, instructor_client, course, session):
    colleague = factories.make_instructor(session)
    session.commit()
    instructor_client.post(
        f"/teach/classes/{course.id}/instructors", data={"email": colleague.email}
    )
    c = app.test_client()
    login(c, colleague.email)
    assert c.get(f"/teach/classes/{course.id}").status_code == 200


def test_closing_joining_refuses_the_code(instructor_client, client, course):
    instructor_client.post(f"/teach/classes/{course.id}/join-code/disable")
    page = client.post(
        "/join",
        data={
            "code": course.join_code,
            "name": "Late",
            "email": "late@school.test",
            "password": "long password 1",
            "confirm": "long password 1",
        },
    )
    assert b"No class accepts this join code" in page.data
