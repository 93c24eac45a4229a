# Writes src/stages/normalise/boilerplate/signoffs.json and signoffs-qa.json (the patterns are built from the pieces below).
# Run: python3 scripts/gen-signoffs.py
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'stages', 'normalise', 'boilerplate', 'signoffs.json')
C = r'[^，,。！？!?\n]'               # a character inside one clause
SENT = r'(?<=^|[。！？!?\n~～])'        # a sentence starts here
SEP = r'[，,、]?\s?'                    # between two template clauses (the answer sites glue them: …帮助到您祝您健康)
END = r'(?:[。！!~～]+|(?=\n)|$)'      # the sentence ends (its end goes with it)
# Template clauses: each is a whole clause of courtesy that the answer sites and doctors paste into answers.
HOPE = r'(?:以上(?:建议|所述|回答|内容|意见)?|这些建议)?(?:希望|期望|但愿)(?:我的|以上的?|上述的?|这些)?(?:回答|回复|解答|答复|建议|解释|意见|内容)?(?:能够?|可以|会)?(?:对(?:您|你)(?:能够?|会)?)?(?:有所|有)?(?:帮助|帮到|帮上)(?:到)?(?:您|你)?(?:了|的)?'
THANKS = r'(?:也|再次)?(?:非常|十分)?(?:感谢|谢谢)(?:您|你)?(?:的)?(?:信任|咨询|询问|提问|来访)(?:(?:和|与)(?:支持|来访|信任))?'
GLAD = r'(?:很|非常)?(?:高兴|荣幸)(?:能)?(?:为|给)(?:您|你)(?:服务|解答|答疑|提供(?:医学指导)?(?:帮助|服务|咨询))(?:疑惑|问题)?'
READ = r'我(?:已经?)(?:仔细|认真|详细)(?:地)?(?:研读|阅读|了解|看)(?:了|过)?(?:您|你)(?:的)?(?:相关)?(?:资料|病历资料|病情资料|病历|病情|描述|情况)'
INTRO = r'我是(?:一名|一位|一个)?' + C + r'{1,30}?(?:医生|大夫|医师)'
BASIS = r'以上(?:建议|意见|回答)是从' + C + r'{1,30}?提出(?:来)?的'
DONE = r'(?:您的|你的)?问题(?:解答|回答)完毕'
# 很高兴为您解答 on its own stays (a closing the pleasantry rule reads; review-templates.test), and so
# does 我是眼科医生 (in a conversation it answers 您是呼吸科的吗 or says why to see another doctor): they
# go only after another template clause (…仔细研读了您的资料，很高兴为您提供医学指导帮助！ / 感谢您的信任，
# 我是一名妇产科医生，以上建议…).
T = f'(?:{HOPE}|{THANKS}|{READ}|{BASIS}|{DONE})'
# A good wish after a template clause (希望对您有帮助，祝您健康): part of the sign-off, not on its own.
WISH = r'(?:并)?(?:祝|愿|祝福)(?:您|你)?(?:及家人|全家)?' + C + r'{0,8}?(?:健康|康复|痊愈|愉快|顺利|快乐|平安|安康|如意)(?:快乐|愉快|平安)?'
# A thanks after them (希望我的回答能帮助到你，谢谢。) goes with them too.
THX = r'(?:谢谢|感谢|多谢)(?:您|你)?'
# At most four more (bounded, so a text of 希望有帮助 repeated 50,000 times stays linear).
MORE = f'(?:{SEP}(?:{T}|{GLAD}|{INTRO}|{WISH}|{THX})){{0,4}}'
GREET = r'(?:(?:您好|你好)[，,！!]\s?)?'
# A sentence of template clauses only (anywhere in the turn: it carries no advice) goes whole;
# template clauses that end a sentence go from the comma before them (the sentence's end stays);
# an opening thanks/acknowledgement before the answer goes with its comma; a hope-it-helps glued
# without punctuation to the last words of the turn (…配合治疗希望能帮到您) goes to the end.
whole = f'{SENT}\\s?{GREET}{T}{MORE}{END}'
tail = f'[，,、]\\s?{T}{MORE}(?=[。！!~～]|\\n|$)'
lead = f'{SENT}\\s?{GREET}(?:{THANKS}|{READ})(?:[，,]\\s?(?:{THANKS}|{GLAD}|{READ})){{0,3}}[，,！!]\\s?'
glued = f'(?<=[^\\s，,。！？!?\\n、我])(?:{HOPE}){MORE}[。！!~～]*$'
d = {
  "site": "signoffs",
  "about": "Sign-off and acknowledgement templates in doctors' answers of every source, after the solicitations: 希望我的回答对您有所帮助, 希望能帮到您, 感谢您的信任, 谢谢咨询, 很高兴为您解答, 我已经仔细研读了您的资料, 我是一名妇产科医生 (after a thanks), 以上建议是从…提出来的, 您的问题解答完毕, with the good wish or 很高兴为您服务 pasted after them (祝您健康); 很高兴为您解答 alone stays (the pleasantry rule reads it). Only whole clauses go: a sentence of nothing but such clauses (with 您好 before them), such clauses ending a sentence (from the comma before them: …对症治疗，希望对你有所帮助。 → …对症治疗。), an opening thanks before the answer (感谢您的信任，…), and a hope-it-helps glued to the last words of the turn (…配合治疗希望能帮到您). A clause that says more (希望药物对您的便秘有所帮助, 希望你传来好消息) is not a template and stays. Doctors' turns only: a patient's 谢谢您的咨询 or 我是医生 stays; a reply that opens with 不客气 is left whole (`unless`).",
  "formats": ["meddialog", "hetmc", "mie", "cmtmedqa", "toyhom", "huatuo", "scrape"],
  "doctorOnly": True,
  # A reply to thanks that opens with 不客气 (split's WELCOME) keeps its courtesy whole: split reads such a
  # round as a closing round by its share of courtesy clauses, and removing some of them first would make
  # 不客气，希望对您有帮助。如果加重请就医。祝您康复！ look like an answer (shared corpora: 10 CMtMedQA records).
  "unless": "^(?:不客气|不用客气|不要客气|别客气|不用谢|不谢)",
  "templates": [
    {"id": "signoff.sentence", "pattern": whole, "trigger": ["帮助", "帮到", "帮上", "信任", "咨询", "询问", "提问", "来访", "我已", "我是", "提出", "完毕"], "note": "a sentence of template clauses only: 希望我的回答对你有所帮助，祝你健康！ / 您好，我已经仔细研读了您的资料，很高兴为您提供医学指导帮助！"},
    {"id": "signoff.tail", "pattern": tail, "trigger": ["帮助", "帮到", "帮上", "信任", "咨询", "询问", "提问", "来访", "我已", "我是", "提出", "完毕"], "note": "…对症治疗，希望对你有所帮助。 → …对症治疗。"},
    {"id": "signoff.lead", "pattern": lead, "trigger": ["信任", "咨询", "询问", "提问", "来访", "我已"], "note": "您好，非常感谢您的信任，我已认真了解您的相关病历，我再询问几个问题… → 我再询问几个问题…"},
    {"id": "signoff.glued", "pattern": glued, "trigger": ["帮助", "帮到", "帮上"], "note": "…配合治疗希望能帮到您 → …配合治疗"}
  ]
}
json.dump(d, open(OUT, 'w'), ensure_ascii=False, indent=2)
open(OUT, 'a').write('\n')

# The sign-off that ends an answer of the Q&A sites behind Huatuo and Toyhom (120ask, xywy, 39 ask): their
# doctors end nearly every answer on a good wish (祝你健康！, …，祝您早日康复, …治疗祝宝宝健康成长) or a
# hope-it-helps the templates above do not read (希望我的回答能给你带来帮助, 希望我的提议能帮到您). There it is
# the answer's tail, never its content, so it goes on its own too: as the answer's last sentence, from the
# comma or semicolon before it (the sentence then ends with 。), or glued to the last words. Only at the end
# of the text, and only after words of the answer (three characters before the sentence end or the comma,
# two before a glued one): an answer of courtesy alone (祝你早日康复！, 你好，祝你健康。) is left whole for
# split to reject as pleasantry only. Not in dialogues (MedDialog, CMtMedQA …): there a closing wish is a
# round of its own that split reads as a closing round.
QA_OUT = os.path.join(os.path.dirname(OUT), 'signoffs-qa.json')
WISH_WORD = r'(?:健康|康复|痊愈|愉快|顺利|快乐|平安|安康|如意|好运|幸福|成长|恢复)'
# 祝你健康 / 祝您早日康复 / 最后祝你的孩子早日康复 / 顺祝合家安康 / 祝您早日生下健康宝宝 / 祝好 (not 预祝手术顺利: the lookbehinds below)
def wish(verbs):
    # between the verb and the wish word any words of the clause (你的孩子早日, 您和宝宝身体) but another wish's 祝
    return r'(?:(?:最后|在此)[，,]?\s?)?(?:顺|并)?(?:' + verbs + r')[^，,。！？!?\n祝愿]{0,12}' + WISH_WORD + r'(?:快乐|愉快|平安|成长|幸福|每一天|宝宝)?[啊吧呀哦的]?|(?:顺|并)?祝好'
WISH_QA = wish('祝|愿|祝福|祝愿')
WISH_GLUED = wish('祝|祝福|祝愿')  # glued to a word, 愿 is as often the word's own (但愿, 意愿)
# 希望早日康复 / 希望你能早日康复 / 希望患者能够早日的康复
RECOVER = r'(?:希望|愿)(?:您|你|患者|孩子|宝宝)?(?:能|能够|可以)?(?:早日|尽快|尽早)(?:的)?(?:康复|痊愈|恢复健康|好起来)'
# 希望我的回答能给你带来一些帮助 / 希望我的提议能帮到您 / 希望我说的对你有所帮助 / 希望可以给到你帮助 (a typo's 希我的回答 too)
HOPE_QA = (r'(?:希望?|期望|但愿)(?:我的|以上的?|上述的?|这些|我)?(?:回答|回复|解答|答复|建议|解释|意见|内容|提议|说的|回到)?(?:能够?|可以|会)?'
           r'(?:(?:给(?:您|你)带来|给到(?:您|你)|对(?:您|你)(?:能够?|会)?)(?:有所|有)?(?:一些|一点|些|一定的)?帮助|(?:有所|有)?(?:帮助|帮到|帮上)(?:到)?(?:您|你)?)(?:了|的)?')
# 希望我的回答让你满意 / 望满意
SATISFIED = r'(?:希望|望)(?:我的)?(?:回答|回复|解答)?(?:能)?(?:让|令)?(?:您|你)?满意'
FIRST_QA = f'(?:{WISH_QA}|{RECOVER}|{HOPE_QA}|{SATISFIED})'
# after the first: more of them, a second wish of a fixed list (生活愉快), 对你有帮助, a thanks; sentences too
EXTRA = r'(?:身体健康|生活愉快|工作顺利|心情愉快|万事如意|早日康复|健康快乐|开心快乐|阖家幸福|合家欢乐|家庭幸福|一切顺利|天天开心|对(?:您|你)有(?:所)?帮助)'
SEP_QA = r'[，,、；;。！!~～]?\s?'
# Each clause is matched atomically ((?=(?<x>…))\k<x>: its first parse, never another one on failure), so a
# long run of wishes (祝宝宝健康成长 × 10,000) costs one parse per clause, not one per way to split the run.
def atomic(name, x):
    return f'(?=(?<{name}>{x}))\\k<{name}>'
MORE_QA = f'(?:{SEP_QA}{atomic("m", f"(?:{FIRST_QA}|{EXTRA}|{THX})")}){{0,4}}'
FIRST_ATOMIC = atomic('f', FIRST_QA)
GLUED_ATOMIC = atomic('f', f'(?:{WISH_GLUED}|{RECOVER}|{HOPE_QA})')
WORDS = r'[^\s，,。！？!?\n、；;~～…]'
# what may follow at the end: its punctuation, a separator the dump left (…祝你好运，), the line break a removed
# label left (…祝你健康！医生询问： → …祝你健康！\n)
END_QA = r'[。！!~～…，,、；;\s]*$'
qa = {
  "site": "signoffs-qa",
  "about": "The sign-off that ends an answer of the Q&A sites behind the Huatuo and Toyhom dumps, after signoffs.json: a good wish (祝你健康！, 祝您早日康复, 祝宝宝健康成长, 祝好) or a hope-it-helps those templates do not read (希望我的回答能给你带来帮助, 希望我的提议能帮到您), with what is pasted after it (生活愉快, 谢谢). Only at the very end of the answer and only after words of it: as its last sentence, from the comma or semicolon before it (the sentence ends with 。 then), or glued to the last words. An answer of courtesy alone stays for split (split.pleasantry_only); a wish in a sentence that says more (祝你早日康复，记得按时换药) stays. Doctors' turns only; generated by scripts/gen-signoffs.py.",
  "formats": ["huatuo", "toyhom"],
  "doctorOnly": True,
  "unless": d["unless"],
  "templates": [
    {"id": "signoff_qa.sentence", "pattern": f'(?<={WORDS}{{3}}[。！？!?\\n~～…]{{1,2}})\\s?{FIRST_ATOMIC}{MORE_QA}{END_QA}', "trigger": ["祝", "愿", "希望", "期望", "望满意", "希我"], "note": "…注意别抓挠。祝你早日康复！ → …注意别抓挠。"},
    {"id": "signoff_qa.tail", "pattern": f'(?<={WORDS}{{3}})[，,、；;]\\s?{FIRST_ATOMIC}{MORE_QA}[。！!~～…，,、；;]+\\s*$', "replace": "。", "trigger": ["祝", "愿", "希望", "期望", "望满意", "希我"], "note": "…多休息，祝您健康。 → …多休息。"},
    {"id": "signoff_qa.tail_bare", "pattern": f'(?<={WORDS}{{3}})[，,、；;]\\s?{FIRST_ATOMIC}{MORE_QA}\\s*$', "trigger": ["祝", "愿", "希望", "期望", "望满意", "希我"], "note": "…注意观察，祝健康 → …注意观察"},
    {"id": "signoff_qa.glued", "pattern": f'(?<={WORDS}{{2}})(?<![庆预]){GLUED_ATOMIC}{MORE_QA}{END_QA}', "trigger": ["祝", "愿", "希望", "期望", "希我"], "note": "…注意保暖不要受凉祝你的孩子早日康复 → …注意保暖不要受凉"},
  ],
}
json.dump(qa, open(QA_OUT, 'w'), ensure_ascii=False, indent=2)
open(QA_OUT, 'a').write('\n')
