"""A small knowledge base the kb tests share."""

from __future__ import annotations

from bot.app import Hotline

ENTRIES_CSV = """category,question,answer
finance,项目资金怎么入账？,按照<b>专款专用</b>原则，单独设账核算，凭合规发票报销。
legal,遗嘱需要几个见证人？,代书遗嘱需要两个以上与继承人无利害关系的见证人在场并签名。
policy,社会工作者如何签订政府购买服务合同？,先与街道确认服务需求，再按采购流程签订合同并备案。
supervision,新入职社工多久接受一次专业督导？,新入职社工每月至少接受一次专业督导，每次不少于两小时。
supervision,How often should new social workers have supervision?,At least once a month.
"""


async def knowledge_base_ready(hotline: Hotline) -> None:
    """Waits until jieba's dictionary has loaded (in a thread since the bot started), so a
    test's first question is answered as quickly as every later one."""
    assert hotline.kb_ready is not None
    await hotline.kb_ready
