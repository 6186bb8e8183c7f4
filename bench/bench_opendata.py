"""The open-data portal at scale. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_opendata.py`
(TINHSO_BENCH_OPENDATA_ROWS=1000000 for the full-size resource; TINHSO_BENCH_DATASETS for another catalogue size).

1. package_search over 5,000 generated datasets (target p95 < 50 ms): the whole CKAN action through Django
   (GET /api/3/action/package_search: text with and without diacritics, fq filters, facets, 10 results as CKAN
   package dictionaries), beside a plain indexed query (the first page of published datasets by title);
2. a generated resource of 200,000 indicator values (default) streamed as CSV through core.exports (target
   ≥ 100,000 rows/s with flat memory) as the download serves it (PostgreSQL's COPY through
   core.exports.csv_copy_stream) and through the Python writer (csv_stream, the path of every other source),
   beside raw iteration of the same rows over a server-side cursor; peak Python memory (tracemalloc) of each,
   beside the same for a stream a tenth the size (flat memory: about the same peak whatever the number of rows).
"""

import os
import random
import statistics
import time

import common

DATASETS = int(os.environ.get("TINHSO_BENCH_DATASETS", 5_000))
ROWS = int(os.environ.get("TINHSO_BENCH_OPENDATA_ROWS", 200_000))
SEARCHES = 300
WORDS = ["dữ liệu", "thủ tục hành chính", "chỉ tiêu", "chuyển đổi số", "dân số", "đất đai", "giáo dục", "y tế",
         "giao thông", "môi trường", "ngân sách", "doanh nghiệp", "du lịch", "nông nghiệp", "hộ tịch", "xã phường",
         "trường học", "bệnh viện", "thống kê", "một cửa"]
QUERIES = [{"q": "chuyển đổi số"}, {"q": "chuyen doi so"}, {"q": "thu tuc hanh chinh", "rows": "20"},
           {"q": "y tế", "fq": "groups:heal"}, {"fq": "organization:000-00-03-h56"},
           {"q": "du lieu", "facet.field": '["organization","groups","tags","res_format"]'},
           {"q": "*:*", "sort": "metadata_modified desc", "start": "40"}, {"q": "moi truong dat dai"}]


def generate_datasets(agencies) -> None:
    from tinhso.opendata.choices import Frequency, Theme
    from tinhso.opendata.models import Dataset, DatasetTag, DatasetTheme

    rng = random.Random(7)
    themes = {t: DatasetTheme.objects.get_or_create(code=t)[0] for t in Theme.values}
    tags = [DatasetTag.objects.create(name=f"{w} {n}") for n, w in enumerate(WORDS * 10)]
    rows, tag_links, theme_links = [], [], []
    for i in range(DATASETS):
        words = rng.sample(WORDS, 3)
        chosen_tags = rng.sample(tags, 3)
        dataset = Dataset(slug=f"bo-du-lieu-{i}", source_key=f"bench-{i}", is_published=True,
                          title=f"Bộ dữ liệu {words[0]} {i}", publisher=agencies[i % 20],
                          description=f"Số liệu về {words[1]} và {words[2]} của tỉnh, cập nhật theo tháng.",
                          frequency=rng.choice(Frequency.values))
        dataset.refresh_keys([t.name for t in chosen_tags])
        rows.append(dataset)
        tag_links.append(chosen_tags)
        theme_links.append(rng.sample(list(themes.values()), rng.choice([1, 2])))
    Dataset.objects.bulk_create(rows, batch_size=1000)
    created = list(Dataset.objects.filter(source_key__startswith="bench-").order_by("pk"))
    Through, ThemeThrough = Dataset.tags.through, Dataset.themes.through
    Through.objects.bulk_create([Through(dataset_id=d.pk, datasettag_id=t.pk)
                                 for d, ts in zip(created, tag_links, strict=True) for t in ts], batch_size=5000)
    ThemeThrough.objects.bulk_create([ThemeThrough(dataset_id=d.pk, datasettheme_id=t.pk)
                                      for d, ts in zip(created, theme_links, strict=True) for t in ts],
                                     batch_size=5000)


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def bench_search() -> None:
    from django.test import Client

    from tinhso.opendata.models import Dataset

    client = Client()
    times = []
    for n in range(SEARCHES):
        params = QUERIES[n % len(QUERIES)]
        start = time.perf_counter()
        response = client.get("/api/3/action/package_search", params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    anchor = []
    for _ in range(SEARCHES):
        start = time.perf_counter()
        list(Dataset.objects.filter(is_published=True).order_by("title")[:10].values_list("pk", "slug", "title"))
        anchor.append((time.perf_counter() - start) * 1000)
    common.figure("opendata", f"package_search p95 ({DATASETS:,} datasets, {SEARCHES} calls)", p95(times), "ms",
                  anchor_label="plain indexed query p95", anchor=p95(anchor), target="< 50 ms")
    common.figure("opendata", "package_search median", statistics.median(times), "ms",
                  anchor_label="plain indexed query median", anchor=statistics.median(anchor))


def generate_values(province, rows: int, *, first_day: int = 0) -> int:
    """`rows` current values of the province (public rows): one per indicator and day from 2000-01-01 + first_day,
    inserted by one INSERT … SELECT over generate_series (the series key as the model builds it)."""
    from django.db import connection

    from tinhso.indicators.models import Indicator

    indicators = list(Indicator.objects.order_by("pk").values_list("pk", flat=True)[:50])
    days = -(-rows // len(indicators))
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO indicators_indicatorvalue (indicator_id, unit_id, level, period_start, period_end, numerator,
                denominator, value, source, provenance, series_key, version, is_current, created_at, reason)
            SELECT i.id, %s, '', d, d, n %% 100, 100, n %% 100 + 0.5, 'computed', '{}'::jsonb,
                   i.id || ':u' || %s || ':a:-:' || to_char(d, 'YYYYMMDD') || '-' || to_char(d, 'YYYYMMDD')
                   || ':computed', 1, TRUE, now(), ''
            FROM unnest(%s::bigint[]) AS i(id),
                 generate_series(%s::int, %s::int) AS n, LATERAL (SELECT DATE '2000-01-01' + n AS d) AS day
            """, [province.pk, province.pk, indicators, first_day, first_day + days - 1])
    return first_day + days


def _count_lines(chunks) -> int:
    return sum(chunk.count(b"\n") for chunk in chunks) - 1


def stream_csv(dataset) -> tuple[int, float]:
    """The download as served (on PostgreSQL: COPY through core.exports.csv_copy_stream): rows, seconds."""
    from tinhso.opendata import resources

    start = time.perf_counter()
    lines = _count_lines(resources.download(dataset, "csv").chunks)
    return lines, time.perf_counter() - start


def stream_python(dataset) -> tuple[int, float]:
    """The same rows through the Python writer (core.exports.csv_stream), the path of sources without SQL."""
    from tinhso.core.exports import csv_stream
    from tinhso.opendata import selectors
    from tinhso.opendata.choices import ColumnType

    source = selectors.source_of(dataset)
    text = [i for i, c in enumerate(source.columns) if c.type in (ColumnType.TEXT, ColumnType.DATE)]
    start = time.perf_counter()
    lines = _count_lines(csv_stream([c.name for c in source.columns], source.rows(), text_columns=text))
    return lines, time.perf_counter() - start


def peak_mb(fn, dataset) -> float:
    """Peak Python memory (tracemalloc) while streaming, in a pass of its own (tracing slows the stream)."""
    import tracemalloc

    tracemalloc.start()
    fn(dataset)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def bench_stream(province) -> None:
    from django.db import connection, transaction

    from tinhso.indicators.models import IndicatorValue
    from tinhso.opendata import selectors

    dataset = selectors.dataset_get(key="gia-tri-chi-tieu-chuyen-doi-so")
    source = selectors.source_of(dataset)
    small = max(1, ROWS // 10)
    next_day = generate_values(province, small)
    small_rows = source.count()
    small_peak, small_python_peak = peak_mb(stream_csv, dataset), peak_mb(stream_python, dataset)
    with common.timed(f"generating {ROWS:,} indicator values in all (not counted)"):
        generate_values(province, ROWS - IndicatorValue.objects.count(), first_day=next_day)
    count = source.count()
    lines, seconds = stream_csv(dataset)
    python_lines, python_seconds = stream_python(dataset)
    assert lines == python_lines == count, (lines, python_lines, count)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DECLARE bench_values NO SCROLL CURSOR FOR SELECT i.code, i.name, i.pillar, "
                       "i.unit_of_measure, u.code, u.name, v.level, v.period_start, v.period_end, v.value, "
                       "v.numerator, v.denominator, v.source, v.version, v.computed_at "
                       "FROM indicators_indicatorvalue v JOIN indicators_indicator i ON i.id = v.indicator_id "
                       "JOIN org_administrativeunit u ON u.id = v.unit_id WHERE v.is_current")
        start, raw = time.perf_counter(), 0
        while True:
            cursor.execute("FETCH 5000 FROM bench_values")
            batch = cursor.fetchall()
            if not batch:
                break
            raw += len(batch)
        raw_seconds = time.perf_counter() - start
    common.figure("opendata", f"CSV download of {count:,} rows (COPY path)", lines / seconds, "rows/s",
                  anchor_label="raw server-side cursor iteration", anchor=raw / raw_seconds,
                  target="≥ 100,000 rows/s")
    common.figure("opendata", f"CSV of {count:,} rows through the Python writer", python_lines / python_seconds,
                  "rows/s", anchor_label="raw server-side cursor iteration", anchor=raw / raw_seconds)
    common.figure("opendata", f"peak Python memory, COPY download of {count:,} rows",
                  peak_mb(stream_csv, dataset), "MB", anchor_label=f"same for {small_rows:,} rows",
                  anchor=small_peak, target="flat")
    common.figure("opendata", f"peak Python memory, Python writer, {count:,} rows",
                  peak_mb(stream_python, dataset), "MB", anchor_label=f"same for {small_rows:,} rows",
                  anchor=small_python_peak, target="flat")


def main() -> None:
    common.setup_django()
    from django.test import override_settings

    from tinhso.indicators.services import definitions_load
    from tinhso.opendata import services

    province, agencies, _procedures, _admin, _officer = common.build_province()
    definitions_load(actor=None)
    with override_settings(TINHSO_PROVINCE_CODE=province.code, ALLOWED_HOSTS=["*"]):
        services.datasets_sync(actor=None)
        services.dataset_publish_all(actor=None)
        print(f"\n== Open data: package_search over {DATASETS:,} datasets")
        with common.timed("generating the datasets (not counted)"):
            generate_datasets(agencies)
        bench_search()
        print(f"\n== Open data: a resource of {ROWS:,} rows as CSV")
        bench_stream(province)
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
