"""The grid event list (津治通事件清单): 9 categories, 239 sub-categories."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

__all__ = ["CATEGORIES", "Category", "SubCategory", "category_rows", "sub_categories"]


@dataclass(frozen=True, slots=True)
class Category:
    """A top-level category (大类): code, name, hours to close, whistled department."""

    code: str
    name: str
    deadline_hours: int
    departments: tuple[str, ...]
    weight: float
    subs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubCategory:
    """A sub-category (小类) and its top-level category."""

    code: str
    name: str
    deadline_hours: int
    parent: Category


def _split(names: str) -> tuple[str, ...]:
    return tuple(names.split())


CATEGORIES: tuple[Category, ...] = (
    Category("01", "城市管理", 72, ("城管委", "住建委"), 30.0, _split("""
        占道经营 无照游商 店外经营 乱堆物料 私搭乱建 违法建设 违规户外广告 乱张贴小广告
        乱涂写乱刻画 道路破损 井盖缺失破损 路灯不亮 交通标志损坏 护栏损坏 绿化带破坏 树木倒伏
        园林绿化缺株 垃圾满溢 垃圾分类不规范 暴露垃圾 建筑垃圾乱倒 渣土车遗撒 道路积水
        雨水箅子堵塞 共享单车乱停放 机动车乱停放 僵尸车 架空线缆凌乱 空调外机滴水 施工围挡破损
        夜间施工扰民 门前三包不落实 公厕设施损坏 公共座椅损坏 景观照明故障 道路遗撒 违规晾晒
        店铺牌匾破损 冬季除雪不及时 其他城市管理问题""")),
    Category("02", "社会治安", 24, ("公安分局",), 7.0, _split("""
        可疑人员 盗窃线索 电信诈骗线索 非法集资线索 涉黄涉赌线索 涉毒线索 寻衅滋事 打架斗殴
        流浪乞讨 重点人员动态 出租房屋未登记 流动人口未登记 治安隐患 校园周边治安 非法营运
        噪音扰民 高空抛物 饲养烈性犬 遛狗不拴绳 办证小广告 邪教活动线索 无人机违规飞行
        视频监控损坏 群租房 其他治安问题""")),
    Category("03", "矛盾纠纷", 168, ("司法局", "信访办"), 10.0, _split("""
        邻里纠纷 家庭纠纷 婚姻纠纷 赡养纠纷 继承纠纷 物业纠纷 房屋租赁纠纷 劳资纠纷
        拖欠农民工工资 土地承包纠纷 宅基地纠纷 征地拆迁纠纷 消费纠纷 医疗纠纷 交通事故纠纷
        债务纠纷 合同纠纷 施工扰民纠纷 漏水纠纷 停车位纠纷 宠物纠纷 校园纠纷 水利纠纷
        其他矛盾纠纷""")),
    Category("04", "安全隐患", 24, ("应急管理局", "住建委", "消防救援支队"), 12.0, _split("""
        消防通道堵塞 消防设施损坏 电动自行车楼道充电 飞线充电 燃气泄漏隐患 燃气管道老化
        违规使用液化气 电线老化 房屋结构安全隐患 危房 高空坠物隐患 广告牌松动 建筑工地安全隐患
        深基坑隐患 有限空间作业隐患 危化品违规存放 烟花爆竹违规销售 电梯故障困人 井盖位移
        地面塌陷 树木枯死隐患 防汛隐患 冬季取暖安全隐患 群租房消防隐患 小作坊安全隐患
        校车安全隐患 道路交通安全隐患 河道溺水隐患 人员密集场所安全隐患 其他安全隐患""")),
    Category("05", "环境保护", 72, ("生态环境局", "水务局"), 12.0, _split("""
        露天焚烧 秸秆焚烧 餐饮油烟扰民 工业废气排放 扬尘污染 裸土未苫盖 工地噪声 社会生活噪声
        交通噪声 污水直排 河道漂浮物 黑臭水体 工业固废倾倒 危险废物违规处置 散煤燃烧
        畜禽养殖污染 土壤污染 垃圾焚烧异味 恶臭气体 光污染 非法采砂 毁林毁绿 野生动物保护
        散乱污企业 机动车尾气冒黑烟 其他环境问题""")),
    Category("06", "民生服务", 120, ("民政局", "住建委", "人社局"), 12.0, _split("""
        供水异常 停水 水压不足 停电 供电异常 供热不热 燃气停供 有线电视故障 网络通信故障
        老旧小区改造 电梯维修 物业服务不到位 社区养老服务 助餐服务需求 残疾人帮扶 困难群众救助
        低保申请咨询 就业帮扶 医保社保咨询 户籍办理咨询 子女入学 公交线路需求 便民设施需求
        无障碍设施 健身器材损坏 快递服务 菜市场秩序 殡葬服务 退役军人服务 其他民生诉求""")),
    Category("07", "市场监管", 120, ("市场监管局",), 7.0, _split("""
        无证无照经营 食品安全 过期食品 三无产品 假冒伪劣 价格欺诈 缺斤短两 虚假广告 非法行医
        药品安全 保健品虚假宣传 网络交易纠纷 预付卡消费纠纷 特种设备安全 农资质量 计量器具不准
        商标侵权 校园周边食品安全 野生动物交易 小餐饮无证经营 违规销售电动自行车
        其他市场监管问题""")),
    Category("08", "公共卫生", 48, ("卫健委",), 5.0, _split("""
        疫情防控 发热人员报告 密接人员排查 核酸检测点秩序 疫苗接种咨询 病媒生物滋生 鼠患
        蚊蝇孳生 卫生死角 医疗废物处置 公共场所卫生 生活饮用水卫生 职业病危害 食物中毒
        传染病报告 环境消杀 二次供水卫生 犬只免疫 心理健康援助 其他公共卫生问题""")),
    Category("09", "其他", 168, ("政务服务办",), 5.0, _split("""
        政策咨询 意见建议 表扬感谢 党建工作 民族宗教事务 涉军事务 统计调查 人口普查 志愿服务
        文明创建 垃圾分类宣传 防范宣传 网格员信息采集 部件普查 地名标识 门牌缺失 气象灾害预警
        森林防火 动物伤人 失物招领 走失人员 其他事项""")),
)  # fmt: skip

# Sub-categories take their category's deadline, halved or doubled for some.
_DEADLINE_FACTORS = (1.0, 1.0, 0.5, 1.0, 2.0)


def sub_categories() -> list[SubCategory]:
    """All 239 sub-categories, codes ``0101`` ... ``0922``."""
    return [
        SubCategory(
            code=f"{category.code}{i:02d}",
            name=name,
            deadline_hours=max(8, int(category.deadline_hours * _DEADLINE_FACTORS[i % 5])),
            parent=category,
        )
        for category in CATEGORIES
        for i, name in enumerate(category.subs, start=1)
    ]


def sub_category_cum_weights(subs: list[SubCategory]) -> list[float]:
    """How often each sub-category is reported: its category's share, the first ones most."""
    weights = []
    for category in CATEGORIES:
        own = [1.0 / (i**0.8) for i in range(1, len(category.subs) + 1)]
        weights += [category.weight * w / sum(own) for w in own]
    assert len(weights) == len(subs)  # noqa: S101 - the two lists are built from CATEGORIES
    return list(itertools.accumulate(weights))


def category_rows() -> list[dict[str, object]]:
    """Rows of the event_categories table: the 9 categories, then their sub-categories."""
    tops: list[dict[str, object]] = [
        {"code": c.code, "name": c.name, "parent_code": None, "deadline_hours": c.deadline_hours}
        for c in CATEGORIES
    ]
    return tops + [
        {
            "code": s.code,
            "name": s.name,
            "parent_code": s.parent.code,
            "deadline_hours": s.deadline_hours,
        }
        for s in sub_categories()
    ]
