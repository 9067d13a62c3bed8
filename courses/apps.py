from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        from courses import receivers
        from courses.lecture_sections import course_sections
        from lectures.extensions import register_sections

        receivers.connect()
        register_sections(course_sections)
