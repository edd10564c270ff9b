import time

from django.core.management.base import BaseCommand, CommandError

from accounts.benchmarks import add_allow_production_argument, refuse_in_production
from demo import bench


class Command(BaseCommand):
    help = "Create the benchmark data set (100,000 interviews by default) with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--interviews", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=7)
        add_allow_production_argument(parser)

    def handle(self, *args, interviews: int, batch: int, seed: int, **options):
        refuse_in_production(command="seed_bench", allowed=options["allow_production"])
        if bench.already_built(interviews=interviews):
            self.stdout.write(f"Bench data for {interviews} interviews is already there.")
            return
        if bench.people_exist():
            raise CommandError("A bench data set of another size exists; use a fresh database.")
        started = time.monotonic()
        bench.BenchFirm(batch=batch, seed=seed, log=self.stdout.write).build(interviews=interviews)
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench data: {interviews} clients and interviews, {int(interviews * 2.5)} "
                f"actions, {interviews // 5} reviews in {time.monotonic() - started:.1f} s."
            )
        )
