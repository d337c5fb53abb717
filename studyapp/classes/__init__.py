"""Classes, their instructors, enrolments, join codes and roster uploads."""
