#!/usr/bin/env python3
"""Find candidate doctor turns that may recommend a drug (first pass of the drug set; stdlib only).

Writes one JSON line per candidate to stdout: {key, locator, hits}. The key is "<source>:<record>:<utt>".
It prints no utterance text by default; with --context it prints the dialogue context for reading (keep such output
under /tmp: MedDialog and MIE carry no licence and must not be committed).

A candidate is a doctor turn that
  - contains a drug mention: a name from the drug lexicons (xywy region_words/drugs.txt, liuhuanyong drug.txt,
    VRBot graph heads of `to_treat`, a hand list of ~150 generic names / brand names below), or a word ending in a
    dosage-form suffix (片 胶囊 颗粒 注射液 口服液 软膏 乳膏 滴眼液 喷雾剂 糖浆 凝胶 栓 丸 散 冲剂 混悬液 ...), and
  - contains a recommendation cue (建议 可以 可 吃 服 用 继续 给予 开 涂 外用 雾化 口服 ...).
Candidates are then read by the annotator; many are not recommendations (a drug the patient already took, a
question, a warning), which is why reading every dialogue is the real labelling step.
"""
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import locate  # noqa: E402

KG = "/work/shared/data/kg"

GENERIC = """阿莫西林 阿莫西林克拉维酸钾 布洛芬 对乙酰氨基酚 奥美拉唑 兰索拉唑 雷贝拉唑 泮托拉唑 埃索美拉唑 头孢 头孢克肟 头孢呋辛
头孢克洛 头孢拉定 头孢丙烯 头孢地尼 头孢曲松 左氧氟沙星 莫西沙星 环丙沙星 诺氟沙星 阿奇霉素 红霉素 克拉霉素 罗红霉素 甲硝唑 替硝唑
奥硝唑 青霉素 氨溴索 溴己新 乙酰半胱氨酸 孟鲁司特 氯雷他定 西替利嗪 扑尔敏 氯苯那敏 地塞米松 泼尼松 甲泼尼龙 强的松 布地奈德 沙丁胺醇
特布他林 氨茶碱 多索茶碱 二甲双胍 格列美脲 阿卡波糖 胰岛素 硝苯地平 氨氯地平 缬沙坦 厄贝沙坦 氯沙坦 美托洛尔 比索洛尔 阿司匹林
氯吡格雷 阿托伐他汀 瑞舒伐他汀 辛伐他汀 单硝酸异山梨酯 硝酸甘油 速效救心丸 复方丹参滴丸 蒙脱石散 思密达 益生菌 双歧杆菌 枯草杆菌
多潘立酮 吗丁啉 莫沙必利 铝碳酸镁 硫糖铝 枸橼酸铋钾 法莫替丁 雷尼替丁 左甲状腺素 优甲乐 甲巯咪唑 丙硫氧嘧啶 维生素 叶酸 钙片 碳酸钙
铁剂 琥珀酸亚铁 甲钴胺 谷维素 艾司唑仑 阿普唑仑 舍曲林 帕罗西汀 氟西汀 黛力新 奥氮平 利培酮 丙戊酸钠 卡马西平 左乙拉西坦
阿昔洛韦 伐昔洛韦 更昔洛韦 奥司他韦 达菲 利巴韦林 干扰素 恩替卡韦 替诺福韦 阿德福韦 拉米夫定 熊去氧胆酸 多烯磷脂酰胆碱 易善复
水飞蓟宾 甘草酸 双环醇 联苯双酯 螺内酯 呋塞米 氢氯噻嗪 克霉唑 咪康唑 酮康唑 特比萘芬 氟康唑 伊曲康唑 莫匹罗星 红霉素软膏 百多邦
夫西地酸 炉甘石 氢化可的松 丁酸氢化可的松 糠酸莫米松 地奈德 他克莫司 维A酸 阿达帕林 过氧苯甲酰 米诺环素 多西环素 四环素 妥布霉素
左氧氟沙星滴眼液 玻璃酸钠 人工泪液 连花清瘟 连花清瘟胶囊 板蓝根 藿香正气 蒲地蓝 抗病毒口服液 感冒灵 小柴胡 双黄连 银翘 六味地黄丸
金水宝 百令胶囊 乌灵胶囊 逍遥丸 复方甘草片 急支糖浆 川贝枇杷 止咳糖浆 右美沙芬 可待因 喷托维林 金银花 羟氯喹 来氟米特 甲氨蝶呤
雷公藤 白芍总苷 沙利度胺 达那唑 他莫昔芬 来曲唑 阿那曲唑 黄体酮 地屈孕酮 雌激素 戊酸雌二醇 克罗米芬 坦索罗辛 非那雄胺 保列治
哈乐 前列康 西地那非 伟哥 舒普深 拜复乐 泰能 万古霉素 利奈唑胺 美罗培南 亚胺培南 哌拉西林 他唑巴坦 乐松 洛索洛芬 塞来昔布 双氯芬酸
扶他林 美洛昔康 依托考昔 氨基葡萄糖 硫酸氨基葡萄糖 骨化三醇 阿法骨化醇 阿仑膦酸钠 别嘌醇 非布司他 秋水仙碱 苯溴马隆 碳酸氢钠 小苏打
乳果糖 开塞露 聚乙二醇 麻仁丸 匹维溴铵 得舒特 曲美布汀 美沙拉嗪 柳氮磺吡啶 酪酸梭菌 培菲康 整肠生 妈咪爱 肠炎宁 黄连素 小檗碱
诺氟沙星胶囊 布拉氏酵母菌 复方消化酶 胰酶 多酶片 健胃消食片 山莨菪碱 654-2 阿托品 颠茄 丁溴东莨菪碱 甘露醇 倍他司汀 氟桂利嗪 西比灵
银杏叶 天麻 尼莫地平 胞磷胆碱 奥拉西坦 吡拉西坦 丁苯酞 依达拉奉 低分子肝素 华法林 利伐沙班 达比加群 瑞代 益母草 桂枝茯苓 云南白药
扶正化瘀 鳖甲软肝 安络化纤 复方鳖甲软肝片 阿胶 人参 黄芪 当归 甘草 胸腺肽 氯化钾 补液盐 口服补液盐 葡萄糖 生理盐水 碘伏 酒精
莫匹罗星软膏 皮炎平 尤卑舒 艾洛松 达克宁 派瑞松 金霉素 氧氟沙星 利福平 异烟肼 乙胺丁醇 吡嗪酰胺 阿昔莫司 非诺贝特 依折麦布 苯磺酸氨氯地平
硝苯地平控释片 培哚普利 贝那普利 依那普利 卡托普利 地高辛 胺碘酮 普罗帕酮 伊伐布雷定 曲美他嗪 尼可地尔 地尔硫卓 维拉帕米 替格瑞洛""".split()

SUFFIX = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9\-]{1,12}?(?:缓释片|控释片|肠溶片|分散片|咀嚼片|泡腾片|含片|片|胶囊|软胶囊|颗粒|冲剂|注射液|"
                    r"口服液|口服溶液|软膏|乳膏|凝胶|滴眼液|滴耳液|滴鼻液|喷雾剂|气雾剂|糖浆|混悬液|栓|丸|散|酊|贴|合剂|搽剂|洗剂)")
CUE = re.compile(r"建议|可以|可用|可服|可口服|可吃|吃点|吃些|服用|口服|用药|使用|继续|给予|给以|开点|开些|涂|外用|雾化|推荐|选用|配合|"
                 r"试试|治疗|用点|用些|一天|每天|每日|日三次|一日|次/日|bid|tid|qd")


def load_lexicon():
    names = set(GENERIC)
    for p in ("xywy_medicalkgqa/region_words/drugs.txt", "liuhuanyong_dict/drug.txt"):
        for l in open(os.path.join(KG, p), encoding="utf-8"):
            l = l.strip()
            if len(l) >= 2:
                names.add(l)
    for l in open(os.path.join(KG, "vrbot_meddialog/graph.csv"), encoding="utf-8"):
        parts = l.rstrip("\n").split(",")
        if len(parts) == 3 and parts[1] == "to_treat" and len(parts[0]) >= 2:
            names.add(parts[0])
    return names


FILES = {"meddialog": locate.MEDDIALOG, "hetmc": locate.HETMC, "mie": locate.MIE, "cmtmedqa": locate.CMT,
         "huatuo": locate.HUATUO, "toyhom": locate.TOYHOM}
NOT_DRUG = {"照片", "图片", "名片", "X片", "胸片", "片子", "CT片", "大片", "一片", "半片", "两片", "刀片", "切片", "肺片",
            "药片", "鸡蛋丸", "丸子", "散步", "扩散", "分散", "疏散", "消散", "发散"}


def drug_hits(text, names):
    hits = set()
    for n in names:
        if n in text:
            hits.add(n)
    for m in SUFFIX.finditer(text):
        s = m.group(0)
        if s not in NOT_DRUG and not s.endswith(("一片", "半片", "两片", "药片", "X片", "胸片")):
            hits.add(s)
    return sorted(hits)


def main():
    ctx = "--context" in sys.argv
    names = load_lexicon()
    # short names in the lexicons give too many false hits; keep >= 2 chars and drop a few common words
    names = {n for n in names if len(n) >= 2 and n not in {"维生素", "葡萄糖", "酒精", "人参", "当归", "甘草", "金银花",
                                                           "天麻", "黄芪", "阿胶", "生理盐水", "头孢"}} | {"头孢"}
    for src, f in FILES.items():
        for rec, us in locate.iter_records(f):
            for i, (role, text) in enumerate(us):
                if role != "doctor":
                    continue
                hits = drug_hits(text, names)
                if not hits or not CUE.search(text):
                    continue
                key = "%s:%s:%d" % (src, "/".join(str(v) for v in rec.values()), i)
                out = {"key": key, "locator": locate.make_locator(f, rec, i), "hits": hits}
                if ctx:
                    out["context"] = [[r, t] for r, t in us[max(0, i - 4):i + 1]]
                print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
