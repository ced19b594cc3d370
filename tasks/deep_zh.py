"""The Chinese text of the `deep` suite: relation words, page sentences, boilerplate and
questions (Traditional characters, as in the article suite).

Why every relation word has three or more characters ("總部所在地", not "總部"): the corpus
searches trigrams, so a shorter word matches nothing (see harness.corpus). Each fact
sentence repeats its relation word verbatim, so "<subject> <relation>" ranks the page, and
no boilerplate sentence contains a relation word. Entity names stay in Latin letters, as
foreign company and place names often do on Chinese pages.
"""

from __future__ import annotations

from tasks.world import Kind

REL: dict[str, str] = {
    "capital": "首都城市",
    "population": "人口數量",
    "country": "所屬國家",
    "mayor": "現任市長",
    "birthplace": "出生城市",
    "birth year": "出生年份",
    "founder": "創始人",
    "chief executive": "首席執行官",
    "headquarters": "總部所在地",
    "founding year": "成立年份",
    "headcount": "員工人數",
    "maker": "製造商",
    "launch year": "上市年份",
    "launch price": "上市價格",
}
RENAME_REL = {"renamed": "更名為", "also known as": "品牌名稱"}

FACTS: dict[str, tuple[str, ...]] = {
    "capital": ("{n}的首都城市是{v},中央政府設於此地。", "{v}是{n}的首都城市。"),
    "population": ("據最新統計,{n}的人口數量為{v}。", "最新普查顯示{n}的人口數量為{v}。"),
    "country": ("{n}的所屬國家是{v}。", "{n}位於{v}境內,所屬國家為{v}。"),
    "mayor": ("{n}的現任市長是{v}。", "{v}目前擔任{n}的現任市長。"),
    "birthplace": ("{n}的出生城市是{v}。", "{n}出生於{v},這座出生城市常在訪談中被提及。"),
    "birth year": ("{n}的出生年份為{v}年。", "資料顯示{n}的出生年份是{v}年。"),
    "founder": ("{n}的創始人是{v}。", "{n}由創始人{v}一手創辦。"),
    "chief executive": ("{n}的首席執行官是{v}。", "{v}擔任{n}的首席執行官。"),
    "headquarters": ("{n}的總部所在地為{v}。", "{n}把總部所在地設在{v}。"),
    "founding year": ("{n}的成立年份為{v}年。", "{n}公佈的成立年份是{v}年。"),
    "headcount": ("{n}的員工人數為{v}人。", "據公司披露,{n}目前的員工人數為{v}人。"),
    "maker": ("{n}的製造商是{v}。", "{n}由製造商{v}生產。"),
    "launch year": ("{n}的上市年份是{v}年。", "{n}於{v}年發售,上市年份在當時頗受關注。"),
    "launch price": ("{n}的上市價格為{v}歐元。", "評測文章常討論{n}{v}歐元的上市價格。"),
}
DETAILS: dict[str, str] = {
    "coastal": "沿海",
    "mountainous": "多山",
    "landlocked": "內陸",
    "island": "島嶼",
    "port": "港口",
    "university": "大學",
    "industrial": "工業",
    "market": "商貿",
    "river": "沿河",
    "entrepreneur": "企業家",
    "engineer": "工程師",
    "economist": "經濟學家",
    "industrial designer": "工業設計師",
    "investor": "投資人",
    "robotics": "機器人",
    "software": "軟件",
    "logistics": "物流",
    "renewable energy": "可再生能源",
    "consumer electronics": "消費電子",
    "medical devices": "醫療器械",
    "telecommunications": "電信",
    "semiconductor": "半導體",
    "drone": "無人機",
    "camera": "相機",
    "headset": "耳機",
    "tablet": "平板電腦",
    "router": "路由器",
    "scooter": "滑板車",
    "speaker": "音箱",
    "smartwatch": "智能手錶",
    "printer": "打印機",
    "thermostat": "溫控器",
}
LEADS: dict[Kind, str] = {
    "country": "{n}是一個{d}國家。",
    "city": "{n}是一座{d}城市。",
    "person": "{n}是一位{d}。",
    "company": "{n}是一家{d}公司。",
    "product": "{n}是一款消費級{f}。",
}
BACKLINKS: dict[tuple[Kind, str], str] = {
    ("company", "maker"): "它生產{o}。",
    ("person", "founder"): "{n}創辦了{o}。",
    ("person", "chief executive"): "{n}執掌{o}。",
    ("person", "mayor"): "{n}主政{o}。",
    ("city", "headquarters"): "{o}的辦公大樓設在{n}。",
    ("country", "country"): "{o}是該國城市之一。",
}
FILLER: dict[str, tuple[str, ...]] = {
    "any": (
        "本條目由志願者維護,最近一次審核在今年完成。",
        "文中數據取自公開登記資料和公司文件。",
        "部分細節各方說法不一,較早的報道可能已經過時。",
        "讀者可通過編輯流程提交更正建議。",
        "條目中的名稱採用官方文件中的寫法。",
        "本條目不涵蓋最近一次審核之後發生的事件。",
        "部分統計數字在二手資料中經過四捨五入,此處給出完整數值。",
        "相關條目介紹其創始人、製造商和總部所在地。",
        "分析人士經常比較各地企業的規模和發展路徑。",
        "當地媒體多次報道該地區的產業變化。",
        "業內人士認為,行業競爭在未來幾年仍將加劇。",
        "多家機構發佈的研究報告引用了相關數據。",
        "該地區的交通和基礎設施近年來持續改善。",
        "有關方面表示,將繼續公開更多資料。",
        "不少讀者在評論區討論了這一話題。",
        "此前的報道曾對部分信息作出更正。",
        "編輯會把每個條目與至少兩個獨立來源核對。",
        "如來源之間存在矛盾,條目採用最新核實的數字。",
    ),
    "news": (
        "消息在新聞發佈會上公佈。",
        "一位發言人拒絕透露更多細節。",
        "分析人士表示,這一舉動在幾個月前就已在預料之中。",
        "相關數據尚未經過獨立核實。",
        "當天該行業股價變動不大。",
        "報道發佈後曾更正一處拼寫錯誤。",
        "工會和地方官員對此表示歡迎。",
        "更多細節預計將在年度報告中公佈。",
    ),
}
OUTDATED: dict[str, tuple[str, str]] = {
    "headcount": ("{n}擴大員工隊伍", "{n}表示,經過一年的招聘,員工人數已達到{v}人。"),
    "chief executive": ("{n}任命新首席執行官", "{n}董事會宣佈任命{v}為首席執行官。"),
    "headquarters": ("{n}遷移辦公地點", "{n}已將總部所在地遷至{v},大部分員工已在當地辦公。"),
    "population": ("{n}人口普查結果", "官員表示,普查統計{n}的人口數量為{v}。"),
    "mayor": ("{n}選出新市長", "{v}在激烈的競選後當選{n}的現任市長。"),
}
RENAMES: dict[str, tuple[str, ...]] = {
    "renamed": (
        "{old}宣佈更名",
        "{old}宣佈已正式更名為{new}。",
        "公司更名是為了配合股權變動,今後將以{new}的名義經營。",
    ),
    "also known as": (
        "{old}(品牌名稱)",
        "{old}是{new}在{place}使用的品牌名稱。",
        "該設備在其他市場以{new}的名稱銷售。",
    ),
}
ROUNDUP = (
    "本期關注{0}、{1}、{2}和{3}。",
    "我們追蹤本地區企業的創始人、總部所在地、員工人數和上市價格。",
)
ROUNDUP_TITLE = "地區商業綜述,第{0}期"
TITLE_SUFFIX = " - 百科條目"
RELATED = "相關條目:"

SITES = ("區域觀察網", "開放年鑒", "城市資訊網")
NAV = "首頁 | 新聞 | 財經 | 人物 | 地區 | 產品 | 評論 | 檔案 | 關於我們 | 聯繫我們 | 登錄 | 訂閱"
COOKIE = (
    "Cookie提示:本網站使用Cookie及類似技術記住您的偏好、統計訪問量並展示相關內容。"
    "繼續瀏覽即表示您同意我們使用Cookie。管理設置 | 全部接受 | 拒絕非必要Cookie"
)
STALE = "檔案文章:本文發佈已超過一年,其中信息可能已不再準確。"
BLOCKS = (
    "訂閱電子報:每週五把本週最受歡迎的文章發送到您的郵箱。輸入郵箱地址即可訂閱,可隨時退訂。",
    "熱門閱讀:暑期出行前需要知道的十件事 · 小企業為何招聘難 · 鄉村麵包店悄然回歸 · "
    "讀者來信:道路、房租與火車票價",
    "分享本頁:電子郵件 · 打印 · 複製鏈接 · 分享到社交媒體",
    "廣告",
    "支持獨立報道。我們的新聞工作由讀者資助。立即成為會員,無限暢讀。",
    "編輯推薦:山間長週末 · 鐵路罷工始末 · 新播客點評 · 專家解答:如何為退休儲蓄",
    "本條目已關閉評論。參與討論前請閱讀社區規範。",
    "您正在閱讀免費版。登錄後可收藏條目、關注話題並接收提醒。",
    "報告錯誤:如發現本頁有誤,請通過更正表單告知編輯。",
    "話題:經濟 · 科技 · 地方政府 · 交通 · 教育 · 文化",
    "延伸閱讀:如何核實網上看到的數字 · 讀懂公司年報的五個步驟 · 地方新聞的未來",
    "下載我們的應用,隨時隨地閱讀最新報道,並在重要新聞發佈時收到推送。",
)
FOOTER = (
    "{site} · 關於我們 · 編輯準則 · 隱私政策 · 使用條款 · 無障礙 · 廣告合作 · 招聘 · "
    "幫助中心。版權所有,未經許可不得轉載。"
)

_WHO = "是誰?"
ASK_TAIL: dict[str, str] = {
    "capital": "是哪座城市?",
    "country": "是哪個國家?",
    "birthplace": "是哪座城市?",
    "headquarters": "是哪座城市?",
    "maker": "是哪家公司?",
    "founder": _WHO,
    "chief executive": _WHO,
    "mayor": _WHO,
    "birth year": "是哪一年?",
    "founding year": "是哪一年?",
    "launch year": "是哪一年?",
    "population": "是多少?",
    "headcount": "是多少?",
    "launch price": "是多少歐元?",
}
SUPERLATIVE: dict[tuple[Kind, str], tuple[str, str]] = {
    ("company", "headcount"): ("員工人數最多", "員工人數最少"),
    ("company", "founding year"): ("成立年份最晚", "成立年份最早"),
    ("city", "population"): ("人口數量最多", "人口數量最少"),
    ("person", "birth year"): ("出生年份最晚", "出生年份最早"),
    ("product", "launch price"): ("上市價格最高", "上市價格最低"),
    ("product", "launch year"): ("上市年份最晚", "上市年份最早"),
}
PLURAL: dict[Kind, str] = {
    "country": "國家",
    "city": "城市",
    "person": "人物",
    "company": "公司",
    "product": "產品",
}


def ask(start: str, relations: tuple[str, ...], *, now: bool = False) -> str:
    """A question walking `relations` from `start`, e.g. "Vexa drone的製造商的創始人的出生
    城市是哪座城市?"; `now` asks for the current value ("目前的…")."""
    x = start
    for rel in relations[:-1]:
        x = f"{x}的{REL[rel]}"
    last = relations[-1]
    return f"{x}{'目前' if now else ''}的{REL[last]}{ASK_TAIL[last]}"


def ask_breadth(kind: Kind, rel: str, argmax: bool, names: list[str]) -> str:
    """Which of `names` has the largest (smallest) `rel`."""
    superlative = SUPERLATIVE[(kind, rel)][0 if argmax else 1]
    return f"以下哪個{PLURAL[kind]}的{superlative}:{'、'.join(names)}?"


TEMPLATE_TEXT = " ".join([*SITES, NAV, COOKIE, STALE, *BLOCKS, FOOTER, RELATED])
"""The fixed Latin words of the Chinese pages ("Cookie") that no entity stem may contain."""
