"""Seed the trades gig markets serve. Codes are stable; province staff extend the list in the portal."""

from django.db import migrations

SEED_TRADES = [
    ("JZ-01", "泥工(瓦工)", "建筑施工"),
    ("JZ-02", "木工", "建筑施工"),
    ("JZ-03", "钢筋工", "建筑施工"),
    ("JZ-04", "架子工", "建筑施工"),
    ("JZ-05", "电焊工", "建筑施工"),
    ("JZ-06", "水电工", "建筑施工"),
    ("JZ-07", "油漆工", "建筑施工"),
    ("JZ-08", "防水工", "建筑施工"),
    ("JZ-09", "装修工", "建筑施工"),
    ("JZ-10", "建筑小工", "建筑施工"),
    ("BY-01", "搬运装卸", "搬运物流"),
    ("BY-02", "物流配送", "搬运物流"),
    ("BY-03", "快递分拣", "搬运物流"),
    ("JF-01", "家政保洁", "家政服务"),
    ("JF-02", "保姆", "家政服务"),
    ("JF-03", "育婴员(月嫂)", "家政服务"),
    ("JF-04", "护工(陪护)", "家政服务"),
    ("CY-01", "餐饮服务员", "餐饮服务"),
    ("CY-02", "厨师帮工", "餐饮服务"),
    ("NY-01", "农业采摘", "农业"),
    ("NY-02", "种植养殖", "农业"),
    ("WX-01", "家电维修", "维修"),
    ("WX-02", "管道疏通维修", "维修"),
    ("FW-01", "保安", "社会服务"),
    ("FW-02", "绿化养护", "社会服务"),
    ("FW-03", "环卫清扫", "社会服务"),
    ("FW-04", "电工", "社会服务"),
    ("FW-05", "驾驶员(司机)", "交通运输"),
    ("FW-06", "普工", "制造加工"),
    ("FW-07", "促销导购", "商贸服务"),
]


def seed(apps, schema_editor):
    Trade = apps.get_model("markets", "Trade")
    for order, (code, name, category) in enumerate(SEED_TRADES, start=1):
        Trade.objects.update_or_create(code=code, defaults={"name": name, "category": category, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("markets", "0002_market_record")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
