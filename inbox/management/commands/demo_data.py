from django.core.management.base import BaseCommand, CommandParser

from inbox import demo


class Command(BaseCommand):
    help = "Load the demo brands, teams, users and a few hundred mentions (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentions", type=int, default=300, help="How many mentions to create (default 300).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--sandbox-url", default="", help="Point the demo accounts at the sandbox platform at this URL."
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: object, **options: object) -> None:
        users = demo.load(
            mentions=int(options["mentions"]), seed=int(options["seed"]), sandbox_url=str(options["sandbox_url"])
        )
        if options["quiet_logins"]:
            return
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s):" % demo.DEMO_PASSWORD))
        for user in users:
            role = "admin" if user.superuser else f"{user.role} in {demo.TEAMS[user.team]}"
            name = f"{user.first_name} {user.last_name}"
            self.stdout.write(f"  {user.username:<8} {name:<18} {role}")
