"""Knowledge-base search: 10,000 entries, latency on SQLite and PostgreSQL, and quality.

The base is the labelled set (bench/data/kb_entries.csv, 55 entries from supervision,
finance, legal, policy and project design) plus 9,945 generated entries of the same district
vocabulary, so the paraphrases must find their entry among many near neighbours. Latency is
one whole `KnowledgeBase.search` (segmentation, synonym expansion, the index query, scoring)
over the labelled queries and generated ones, 1,000 searches a backend after a warm-up.
Quality: the share of paraphrases whose entry is suggested (top three, "matches well"), and
the share of unrelated questions with nothing suggested. PostgreSQL runs in a database of
its own (hotline_kb_bench), so no test database is touched; it is skipped if none answers.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.kb_quality import ENTRIES, labelled_queries, measure
from services.kb import build_knowledge_base
from services.kb.entries_csv import parse_entries_csv
from services.kb.segmenter import Segmenter
from storage.db import Database
from storage.migrate import upgrade_to_head

TOTAL = 10_000
SEARCHES = 1_000
PLACES = ["社区", "街道", "社工站", "养老院", "儿童之家", "残疾人之家", "志愿服务队", "妇联",
          "居委会", "青少年中心"]
TOPICS = ["活动场地", "服务台账", "年度计划", "宣传材料", "安全检查", "培训课程", "档案管理",
          "会议记录", "物资管理", "合作协议", "满意度回访", "信息系统", "印章使用", "车辆使用",
          "值班安排"]
ASKS = ["如何规范", "由谁负责", "需要什么审批", "多久更新一次", "有什么要求", "怎么归档",
        "出了问题找谁", "能否外包", "怎么检查", "如何改进"]
WHEN = ["", "年底", "节假日", "项目初期", "汛期", "新人入职时", "换届期间"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "hotline_kb_bench"


def percentile(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share / 100) - 1)] if share < 100 else ordered[-1]


def generated(count: int) -> list[tuple[str, str, str]]:
    combos = list(itertools.product(WHEN, PLACES, TOPICS, ASKS))
    random.Random(16).shuffle(combos)
    return [("operations", f"{when}{place}的{topic}{ask}？",
             f"{place}的{topic}按照区里的统一要求执行，{ask.replace('如何', '')}请联系站点负责人。")
            for when, place, topic, ask in combos[:count]]


async def fill(database: Database) -> None:
    kb = build_knowledge_base(database)
    await kb.search("预热")  # loads the synonyms into the segmenter first
    labelled = parse_entries_csv(ENTRIES.read_text(encoding="utf-8"))
    rows = [(r.category, r.question, r.answer) for r in labelled]
    rows += generated(TOTAL - len(rows))
    for start in range(0, len(rows), 1000):
        chunk = rows[start:start + 1000]
        await kb.repository.add_many([kb.new_entry(c, q, a) for c, q, a in chunk])


async def run_backend(name: str, url: str) -> None:
    database = Database(url)
    try:
        await upgrade_to_head(database)
        started = time.perf_counter()
        await fill(database)
        print(f"{name}: {TOTAL} entries indexed in {time.perf_counter() - started:.1f} s")
        kb = build_knowledge_base(database)
        queries = [q for q, _ in labelled_queries()]
        queries += [q for _, q, _ in generated(200)]
        for query in queries[:50]:
            await kb.search(query)
        times, cpu = [], []
        for i in range(SEARCHES):
            started, cpu_started = time.perf_counter(), time.process_time()
            await kb.search(queries[i % len(queries)])
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        print(f"{name}: search p50 {percentile(times, 50):.1f} ms, p99 "
              f"{percentile(times, 99):.1f} ms, max {max(times):.1f} ms ({SEARCHES} searches; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        # Wall time on a shared machine is mostly waiting for a CPU; this process's own CPU
        # time (SQLite runs in it, PostgreSQL's share is in the server) is steadier.
        print(f"{name}: this process's CPU per search p50 {percentile(cpu, 50):.1f} ms, "
              f"p99 {percentile(cpu, 99):.1f} ms")
        quality = await measure(kb)
        print(f"{name}: paraphrase suggested (top 3) {quality.in_top_three}/"
              f"{quality.paraphrases} = {quality.recall:.2f}; unrelated with nothing "
              f"suggested {quality.silent}/{quality.unrelated} = {quality.silence:.2f}")
        for miss in quality.misses:
            print(f"   miss: {miss}")
    finally:
        await database.close()


async def postgres_url() -> str | None:
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"postgresql: skipped ({error})")
        return None
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        await admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        await admin.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DATABASE}"


async def main() -> None:
    started = time.perf_counter()
    Segmenter().warm_up()
    print(f"jieba dictionary loaded in {time.perf_counter() - started:.2f} s "
          "(once per process, in a thread at start-up)")
    with tempfile.TemporaryDirectory() as folder:
        await run_backend("sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'kb.db'}")
    url = await postgres_url()
    if url is not None:
        await run_backend("postgresql", url)


if __name__ == "__main__":
    asyncio.run(main())
