# Writes src/stages/normalise/boilerplate/solicitations.json (the patterns are built from the pieces below).
# Run: python3 scripts/gen-solicitations.py
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'stages', 'normalise', 'boilerplate', 'solicitations.json')
B = r'[^，,。！？!?\n（(]'          # a character inside one clause
SENT = r'(?<=^|[。！？!?\n~～])'  # a sentence starts here
W = r'(?:如果|若|要是|希望|请|方便|麻烦|有空|记得|可以|您|你|也|还|欢迎|感谢|谢谢|这里|详情|如需|如有|对我的|给|点|望|是否|有什么|有需要|在)'
LEAD = rf'(?:(?:另外|此外|最后)[，,]\s?)?(?:{W}{B}{{0,30}}(?:满意|帮助|帮到|认可|方便|有空|疑问|需要){B}{{0,16}}[，,]\s?)?'
PAREN = r'(?:[（(][^）)\n]{0,60}[）)])?'
TAIL = rf'(?:[，,]\s?(?:谢谢|多谢|感谢|麻烦了|支持一下|以便{B}{{0,12}}|您的{B}{{0,16}}|这是对{B}{{0,20}}|是对我{B}{{0,16}}|方便(?:日后|以后|后续)?{B}{{0,10}}|随时{B}{{0,16}}|有(?:什么)?问题{B}{{0,16}}|我(?:为|给)您{B}{{0,10}}|满意评价后{B}{{0,20}}|会赠送{B}{{0,20}}|给{B}{{0,16}}|以帮助{B}{{0,12}}){B}{{0,12}})*'
def sol(marker):
    core = LEAD + f'(?:{W}{B}{{0,30}})?' + f'(?:{marker})' + B + '{0,30}' + PAREN + TAIL
    # from a sentence start (the whole sentence goes), from the comma before the clause (the
    # sentence's end stays), or inside a clause at a conditional (…避免焦虑如果我的回答… keeps 避免焦虑)
    return f'{SENT}{core}(?:[。！!~～？?]+|[，,、]\\s?)?|[，,]\\s?{core}|(?<=[^，,。！？!?\\n])(?=如果|若是|要是){core}'
rating = r'(?:给|个|打|点|予|留|满意的?)好评|给我好评|好评(?:一下|下)|(?:给|做个|予以|给予|点|来个|帮我做个|做一下)(?:个|一个|我的?|我个)?(?:满意的?|中肯的|“满意”的|"满意"的)?评价|(?:对|给)(?:我的|本次)' + B + r'{0,8}(?:做出|作出|进行)评价|请(?:您)?(?:对我的(?:回答|回复|解答|服务))?(?:做出|作出)?评价|点击' + B + r'{0,12}评价|评价(?:一下|下)(?=$|[，,。！!~～])|评价请给|[“"‘]评价[”"’]|[“"]很?满意[”"]|评价(?:按钮|功能|入口|选项)'
adopt = r'(?:点击|及时|望|是否|请|记得)[“"]*采纳|采纳为(?:最佳)?答案'
follow = r'关注我(?![们说提讲上前刚所])|加个关注|关注一下我|关注医生(?:啦|了|哦)|(?:我的主页|医生主页|我的头像)|加我(?:为|的)?粉丝|成为我的粉丝'
# A gift to the doctor (送心意, written song心意 where the site filtered the word) and a request for feedback on the service.
gift = r'(?:送|song|赠送|送个|送一个)心意'
feedback = r'对我的(?:服务|回答|回复|解答)提出(?:宝贵的?)?(?:建议|意见)(?:(?:或|和|或者)(?:建议|意见))?'
cta = r'点击(?:左侧|右侧|下方|上方|右上角|我的|在线|咨询|页面)|感谢(?:你|您)?(?:对|支持)(?:有问必答|寻医问药)|欢迎下次来访|这里的医生都是用业余时间'
# Whole solicitations that the marker-led patterns above miss (audit): a rating request set up by
# 如果您对本次咨询/我的回答满意 with 评价 later in the same sentence, the "your rating drives me"
# sentence, "more X questions: click me", the chat button with the site's tracking token after it,
# and the prescription button. From a sentence start (with the thanks after it) or from the comma
# before it (the sentence's own end stays).
END = r'(?=[。！!？?~～]|$)'
THANKS = r'(?:[。！!？?~～]+(?:(?:谢谢|感谢|多谢)[！!。~～]*)?|$)'
SAT = r'(?:如果|若|要是)?(?:您|你)?对(?:本次咨询|我的(?:回答|回复|解答|服务|建议))(?:还)?满意[，,]\s?[^。！？!?\n]{0,60}?评价[^。！？!?\n]{0,40}?'
DRIVE = r'(?:您的)?(?:评价|好评|肯定|支持)[，,]?(?:就)?是(?:我|对我)(?:前进|努力|工作)的(?:动力|目标)[^。！？!?\n]{0,10}?'
MORE = r'更多[^，,。！？!?\n]{1,20}?问题(?:可以|可|请)?(?:直接)?点击我(?:进行)?咨询'
def whole(core):
    return f'{SENT}{core}{THANKS}|[，,]\\s?{core}{END}'
# More whole sentences (session-15 record review): the rating request without 评价 (…请您动动自己的手指，
# 就是我努力的目标。谢谢！), the welcome-back sign-off, 不要辜负了回答者, the service footer, and the
# site's auto-close notice.
FINGER = r'(?:(?:您好|你好)[！!，,]\s?)?(?:如果|若|要是)?(?:您|你)?对(?:本次咨询|我的(?:回答|回复|解答|服务|建议))(?:还)?满意[，,]\s?请(?:您)?动动(?:自己的|您的|你的)?手指[^。！？!?\n]{0,60}?'
WELCOME = r'(?:很高兴(?:能)?为(?:您|你)服务[，,！!。]\s?)?欢迎(?:您|你)?(?:下次)?再来咨询'
ANSWERER = r'不要辜负了?(?:回答者|答题者|医生的回答)'
FOOTER = r'感谢(?:你|您)的咨询[，,]\s?有什么不明白(?:的)?[，,]?\s?请再次咨询[，,]?\s?我们竭诚为(?:您|你)服务'
SYSCLOSE = r'(?:没有其他问题[，,]\s?)?系统将(?:在)?(?:随后|稍后)关闭(?:这个|此|该)问题'
chat = r'(?:您|你)?(?:可以)?可?点击(?:左侧|右侧|下方|上方)?【咨询图标】与我进行在线(?:交谈|咨询)(?:[。.！!]|$)(?:(?=[A-Za-z]{0,5}[A-Z])(?=[A-Za-z]{0,5}[a-z])[A-Za-z]{6}(?![A-Za-z0-9]))?'
# The doctor's advert for a personal website (我网站是全国点击率第一的呼吸科个人网站。): a sentence of its own.
SITE_AD = r'我(?:的)?(?:个人)?网站是[^，,。！？!?\n]{0,30}?(?:网站|第一)[^，,。！？!?\n]{0,10}?'
prescription = SENT + r'点击处方[，,]\s?请?(?:按照|按)我的(?:方案|处方)(?:进行)?治疗(?:[。！!]|$)'
d = {
  "site": "solicitations",
  "about": "Platform solicitations in doctors' answers of every source, after the site files: requests to rate (好评, 给个评价, 请对我的回复做出评价), to adopt an answer (采纳为答案), to follow the doctor, and calls to click the site's buttons. Each removes the clause that holds the request, a clause before it that sets it up (如果您对我的解答满意，), and what follows it (谢谢, 方便日后咨询, the evaluation instructions in brackets); from a sentence start (the whole sentence) or from the comma before it (the sentence's own end stays), so advice earlier in the same sentence stays (…帮助润喉，如果您对我的解答满意，请评价，谢谢。 → …帮助润喉。). Doctors' turns only (a patient asking 请您评价一下 keeps the words). Medical uses of 评价 (疗效评价, 评价肾功能, 患者评价) and 关注 (关注血压) are not requests and stay.",
  "formats": ["meddialog", "hetmc", "mie", "cmtmedqa", "toyhom", "huatuo", "scrape"],
  "doctorOnly": True,
  "templates": [
    {"id": "solicit.rating", "pattern": sol(rating), "trigger": ["好评", "评价", "满意"], "note": "rate the answer"},
    {"id": "solicit.adopt", "pattern": sol(adopt), "trigger": ["采纳"], "note": "adopt the answer"},
    {"id": "solicit.follow", "pattern": sol(follow), "trigger": ["关注", "主页", "头像", "粉丝"], "note": "follow the doctor (关注我, 点击我的头像, 加我粉丝)"},
    {"id": "solicit.gift", "pattern": sol(gift), "trigger": ["心意"], "note": "你也可以对我送心意 (song心意)"},
    {"id": "solicit.feedback", "pattern": sol(feedback), "trigger": ["提出"], "note": "请您对我的服务提出宝贵的建议或意见！"},
    {"id": "solicit.site_cta", "pattern": sol(cta), "trigger": ["点击", "有问必答", "寻医问药", "来访", "业余时间"], "note": "click the site's buttons, thanks to the site"},
    {"id": "solicit.rating_sentence", "pattern": whole(SAT), "trigger": ["满意"], "note": "如果您对本次咨询满意，请您动动自己的手指，…点击“评价”…，您的肯定，就是我努力的目标。谢谢！"},
    {"id": "solicit.rating_drive", "pattern": whole(DRIVE), "trigger": ["动力", "目标"], "note": "您的评价是我前进的动力，谢谢！"},
    {"id": "solicit.more_questions", "pattern": whole(MORE), "trigger": ["点击我"], "note": "更多食道癌问题可以直接点击我咨询"},
    {"id": "solicit.chat_button", "pattern": chat, "trigger": ["咨询图标"], "note": "可点击左侧【咨询图标】与我进行在线交谈。 and the random tracking token the site appends (LnjlmV)"},
    {"id": "solicit.rating_finger", "pattern": whole(FINGER), "trigger": ["手指"], "note": "您好！如果您对本次咨询满意，请您动动自己的手指，就是我努力的目标。谢谢！ (no 评价 in it)"},
    {"id": "solicit.welcome_back", "pattern": whole(WELCOME), "trigger": ["再来咨询"], "note": "很高兴为您服务，欢迎再来咨询。 at a sentence of its own"},
    {"id": "solicit.answerer", "pattern": whole(ANSWERER), "trigger": ["不要辜负"], "note": "不要辜负了回答者！"},
    {"id": "solicit.service_footer", "pattern": f"(?<=[，,])\\s?{FOOTER}[，,]\\s?|" + whole(FOOTER), "trigger": ["竭诚"], "note": "感谢你的咨询，有什么不明白，请再次咨询，我们竭诚为您服务"},
    {"id": "solicit.system_close", "pattern": whole(SYSCLOSE), "trigger": ["关闭"], "note": "没有其他问题，系统将在随后关闭这个问题。 (the site's auto-reply)"},
    {"id": "solicit.site_ad", "pattern": whole(SITE_AD), "trigger": ["网站是"], "note": "我网站是全国点击率第一的呼吸科个人网站。"},
    {"id": "solicit.prescription_button", "pattern": prescription, "trigger": ["点击处方"], "note": "点击处方，请按照我的方案治疗。"}
  ]
}
json.dump(d, open(OUT, 'w'), ensure_ascii=False, indent=2)
open(OUT, 'a').write('\n')
