# Writes src/stages/normalise/boilerplate/signoffs.json (the patterns are built from the pieces below).
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
