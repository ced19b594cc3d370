"""The data of the `article` suite: pages and tasks, as plain Python values.

Kept apart from article.py (which turns it into a TaskSuite) so the prose can be read and
edited on its own. Facts come from the seed article unless a comment says otherwise.
Page keys are internal; article.py gives pages neutral ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from harness.task import Family

Lang = Literal["en", "zh"]
HopSpec = tuple[str, str, str, str]  # (subject, relation, page key, value)


@dataclass(frozen=True, slots=True)
class Page:
    lang: Lang
    date: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class ChainSpec:
    hops: tuple[HopSpec, ...]
    guesses: tuple[str, ...]
    entry: str = ""  # default: the first hop's subject
    label: str = ""  # default: the entry
    question: str = ""  # default: the task's question
    rename: HopSpec | None = None
    decoys: tuple[tuple[int, str, str, Literal["outdated", "namesake"]], ...] = ()


@dataclass(frozen=True, slots=True)
class TaskSpec:
    family: Family
    lang: Lang
    question: str
    chains: tuple[ChainSpec, ...]
    combine: Literal["last", "argmax", "argmin"] = "last"
    aliases: tuple[str, ...] = ()


BACKGROUND: dict[str, tuple[str, ...]] = {
    "zh": (
        "今年被普遍視爲Agent元年,不少AI初創企業自去年改變方向,轉做智能體。",
        "新一波的大模型技術競爭已放棄單純追求參數、算力規模的傳統範式,捲成本和效率成爲趨勢。",
        "走向多模態、選擇開源,也成爲越發重要的競爭策略。",
        "自去年以來,大模型就已進入規模定律邊際效應遞減的瓶頸期。",
        "有觀點認爲,隨着模型越來越強大,建立在外部模型之上的智能體的能力將被模型吞噬。",
        "面向C端的智能體,還沒有哪款產品能牢牢佔據用戶心智。",
        "無論是選擇自研模型還是外部模型,更快做出讓用戶或企業認可的產品纔是關鍵。",
        "資本狂飆之後,這些被迅速催熟的獨角獸,面臨技術和商業的雙重挑戰。",
        "DeepSeek引發市場對大模型創業公司的價值質疑之後,各家都想證明自己依然很能打。",
        "業內人士認爲,接下來大模型創業公司或還會有一兩家掉隊。",
    ),
    "en": (
        "This year is widely seen as the first year of AI agents in China.",
        "Competition among large-model companies has shifted from sheer parameter counts "
        "and compute towards cost and efficiency.",
        "Going multimodal and releasing open weights have become important strategies.",
        "Since last year, scaling laws have shown diminishing returns, analysts say.",
        "Some argue that agents built on top of other companies' models will be swallowed "
        "as the models themselves grow stronger.",
        "No consumer agent has yet won a lasting place in users' minds.",
        "Whether a company trains its own models or uses others', shipping products that "
        "users and businesses accept is what matters.",
        "After a rush of capital, these fast-grown unicorns face both technical and "
        "commercial challenges.",
        "DeepSeek's rise led investors to question the value of China's large-model start-ups.",
        "People in the industry expect one or two more start-ups to fall behind.",
    ),
}

PAGES: dict[str, Page] = {
    "m1-zh": Page("zh", "2025-06-17", "MiniMax-M1",
        "MiniMax-M1是MiniMax發佈的首款開源推理模型,開發公司為MiniMax。該模型的參數量為4560億,"
        "在軟件工程、長上下文、工具使用等複雜生產力場景中優勢明顯。M1在進行大規模強化學習時,"
        "採用Lightning Attention(閃電注意力)混合架構與創新性的CISPO算法,強化學習訓練成本"
        "為380萬元,比預期少了一個數量級。在Artificial Analysis的模型綜合能力榜單中,"
        "MiniMax-M1位列全球開源模型第二名,僅次於DeepSeek-R1-0528。"),
    "m1-en": Page("en", "2025-06-17", "MiniMax-M1 (model)",
        "MiniMax-M1 is the first open-weight reasoning model of MiniMax; its developer is "
        "MiniMax, the Shanghai start-up. The model has 456 billion total parameters. During "
        "large-scale reinforcement learning it combines a hybrid attention architecture, "
        "Lightning Attention, with a new algorithm called CISPO. The company put the "
        "training cost of its reinforcement-learning run at 3.8 million yuan, an order of "
        "magnitude below expectations. On the Artificial Analysis leaderboard it ranked "
        "second among open-weight models, behind DeepSeek-R1-0528."),
    "minimax-zh": Page("zh", "2025-06-20", "MiniMax 公司",
        "MiniMax是一家大模型公司,總部所在地為上海,成立年份為2021年,創始人兼CEO為閆俊傑。"
        "公司最近的發佈周接連推出首款開源推理模型MiniMax-M1和一款通用智能體。MiniMax的產品"
        "矩陣以Agent、Talkie/星野和視頻生成產品爲核心,並繼續發力出海。媒體報道稱,MiniMax"
        "正謀求港股上市,但還在初步籌備階段。"),
    "minimax-en": Page("en", "2025-06-20", "MiniMax (company)",
        # Founding years (here and on the Zhipu, StepFun and 月之暗面 pages) are well known
        # but not in the article.
        "MiniMax is a large-model start-up. Its headquarters are in Shanghai, its founding "
        "year is 2021, and its founder and chief executive is Yan Junjie. During a recent "
        "release week it launched MiniMax-M1 and "
        "a general-purpose agent. Its products centre on agents, the Talkie companion app "
        "and video generation, and it keeps expanding abroad. Media reported that MiniMax "
        "is considering a Hong Kong listing."),
    "kimi-zh": Page("zh", "2025-06-20", "Kimi-Researcher",
        "Kimi-Researcher是k系列模型的最新版本,開發公司為月之暗面。它是基於端到端自主強化學習"
        "(end-to-end agentic RL)技術訓練的新一代Agent模型,定位於專爲深度研究任務而生的智能體。"
        "在人類終極考試(HLE)中,Kimi-Researcher的HLE分數達到26.9%(Pass@1),超過OpenAI o3、"
        "Gemini 2.5 Pro、DeepSeek-R1-0528和Claude 4 Opus。"),
    "kimi-old-zh": Page("zh", "2025-03-10", "Kimi-Researcher 早期測試",
        "據內部測試消息,Kimi-Researcher的早期版本在人類終極考試(HLE)上的HLE分數僅為8.6%"
        "(Pass@1)。研究團隊表示,模型仍在進行強化學習訓練,探索規劃步驟越多,模型性能就越強。"),
    "kimi-en": Page("en", "2025-06-20", "Kimi-Researcher (agent)",
        "Kimi-Researcher is the latest model of the k series, developed by 月之暗面, the "
        "Beijing start-up behind the Kimi assistant. It was trained with end-to-end agentic "
        "reinforcement learning and is meant for deep research tasks rather than as a "
        "general agent. Its HLE score on Humanity's Last Exam is 26.9% Pass@1, ahead of "
        "OpenAI o3, Gemini 2.5 Pro, DeepSeek-R1-0528 and Claude 4 Opus. On average it takes "
        "23 reasoning steps and explores more than 200 URLs per task."),
    "kimi-old-en": Page("en", "2025-03-10", "Kimi-Researcher: early preview",
        "An early internal version of Kimi-Researcher has an HLE score of 8.6% Pass@1 on "
        "Humanity's Last Exam, according to people familiar with the tests. The team says "
        "training is continuing and that more planning steps make the model stronger."),
    "moonshot-zh": Page("zh", "2025-06-25", "月之暗面",
        "月之暗面是一家大模型公司,總部所在地為北京,成立年份為2023年,創始人為楊植麟。"
        "去年o1發佈後,楊植麟表示強化學習是接下來AI的發展方向,公司隨後推出k0-math、k1.5等推理"
        "模型,以及Agent模型Kimi-Researcher。月之暗面今年重心迴歸模型研發,基本放棄大規模投流"
        "策略,內部資金還能維持三年左右。"),
    "moonshot-en": Page("en", "2025-06-25", "Moonshot AI",
        "Moonshot AI is the English name of the Beijing start-up 月之暗面; the company is "
        "also known as 月之暗面 (literally 'the dark side of the moon') at home. It makes "
        "the Kimi assistant and the Kimi-Researcher agent model."),
    "manus-zh": Page("zh", "2025-06-18", "Manus",
        "Manus是此前爆火的通用智能體,尚未在國內上線。Manus基於Claude+Qwen模型,核心是多智能體"
        "系統。Manus的創始人為肖弘,他曾稱Claude是做智能體的最佳模型。業內人士認爲,Manus、"
        "Genspark、Skywork、Flowith等智能體都用多個模型,體驗差異不是很大。"),
    "manus-en": Page("en", "2025-06-18", "Manus (agent)",
        "Manus is a general-purpose agent that went viral before launching in mainland "
        "China. Its underlying models are Claude and Qwen, and at its core is a multi-agent "
        "system. Its founder, Xiao Hong (肖弘), has called Claude the best model for building "
        "agents."),
    "kling-zh": Page("zh", "2025-06-22", "可靈AI",
        "可靈AI是快手旗下的AI視頻生成產品。據報道,可靈AI今年一季度營收達1.5億元,這一一季度"
        "營收數字被視爲AI視頻產品需求已得到初步驗證的例證。業內人士認爲,AI視頻產品在國內外"
        "都會有較大前景。"),
    "kling-en": Page("en", "2025-06-22", "Kling AI",
        "Kling AI is the international name of 可靈AI, the video-generation product of "
        "Kuaishou; in China the product is also known as 可靈AI. Video generation is one of "
        "the areas where Chinese AI companies see demand both at home and abroad."),
    "zhipu-zh": Page("zh", "2025-06-24", "智譜AI",
        "智譜AI是北京的大模型公司,成立年份為2019年,已明確開啓上市進程,被認爲是最有希望最早"
        "上岸的AI獨角獸。今年以來,智譜AI從北京、杭州、珠海、成都等地方國資獲得融資,融資額為"
        "20億元,且拿到不少政府訂單。智譜AI已和榮耀、華碩、小鵬、高通、英特爾、三星等達成智能體"
        "合作。今年有4名高管離職,包括負責商業化的張帆、負責戰略融資的張闊。"),
    # The 10億元 figure is a plausible earlier tranche, written as the outdated decoy.
    "zhipu-old-zh": Page("zh", "2025-03-20", "智譜AI 融資進展",
        "據報道,智譜AI今年已從杭州地方國資獲得融資,融資額為10億元,資金將用於基座模型研發。"),
    "zhipu-en": Page("en", "2025-06-24", "Zhipu AI",
        "Zhipu AI is a Beijing large-model company whose founding year is 2019. It has "
        "started preparing a stock market listing and this year raised 2 billion yuan from "
        "local state investors in Beijing, Hangzhou, Zhuhai and Chengdu."),
    "stepfun-en": Page("en", "2025-06-24", "StepFun",
        "StepFun (階躍星辰) is one of China's four remaining large-model 'tigers'. Its "
        "founding year is 2023. It partners with Oppo, Geely and Qianli Technology and keeps "
        "releasing open multimodal models."),
    "stepfun-zh": Page("zh", "2025-06-24", "階躍星辰",
        "階躍星辰是堅持多模態且開源的大模型公司,與Oppo、吉利、千里科技等企業達成合作。"
        "階躍星辰與千里科技聯合研發推出智駕模型。它已收縮戰線:角色扮演類產品冒泡鴨停止"
        "大範圍投入,轉而聚焦Agent方向,發力強化學習和多模態的理解生成一體化。"),
    "r1-en": Page("en", "2025-05-28", "DeepSeek-R1",
        # Parameter counts of DeepSeek-R1 and Kimi K2: their model cards, not the article.
        "DeepSeek-R1 is the reasoning model of DeepSeek. It has 671 billion total "
        "parameters, 37 billion of them active per token. Its 0528 update leads "
        "the open-weight models on the Artificial Analysis leaderboard."),
    "k2-en": Page("en", "2025-07-11", "Kimi K2",
        "Kimi K2 is an open-weight mixture-of-experts model from 月之暗面 with 1000 billion "
        "(one trillion) total parameters, 32 billion of them active, according to its model "
        "card."),
    "hailuo-zh": Page("zh", "2025-06-20", "海螺AI",
        "品牌拆分之後,海螺AI專指視頻生成產品,是公司產品矩陣的核心之一。有AI從業者稱,AI視頻"
        "產品的需求已得到初步驗證,做得相對較好的公司肯定會繼續發力。"),
    "hailuo-rename-zh": Page("zh", "2025-06-20", "海螺AI聊天機器人更名",
        "MiniMax宣佈品牌拆分,ChatBot產品海螺AI更名為MiniMax,海螺AI此後專指視頻生成產品。"),
    "xiyu-zh": Page("zh", "2025-06-20", "稀宇科技",
        "稀宇科技是一家大模型公司的工商登記名稱,其品牌名稱為MiniMax,對外以MiniMax之名發佈"
        "模型和產品。"),
    "qianli-zh": Page("zh", "2025-06-24", "千里科技",
        "千里科技的入主者為曠視科技創始人印奇。印奇入主後,千里科技與階躍星辰聯合研發推出"
        "智駕模型。"),
    "yinqi-zh": Page("zh", "2025-06-24", "印奇",
        "印奇是曠視科技創始人,後入主千里科技,推動千里科技與階躍星辰合作研發智駕模型。"),
    "yang-zh": Page("zh", "2025-06-25", "楊植麟",
        "楊植麟是月之暗面創始人。早在去年o1發佈後,楊植麟就表示,強化學習是接下來AI的發展方向。"),
    "yan-en": Page("en", "2025-06-20", "Yan Junjie",
        "Yan Junjie (閆俊傑) is the founder and chief executive of MiniMax. During the "
        "company's release week he posted that 'for the first time, the mountain did not "
        "feel impossible to cross'."),
    "shanghai-en": Page("en", "2025-06-01", "Shanghai",
        "Shanghai is one of China's two centres of large-model start-ups: MiniMax is based "
        "in the city, while 月之暗面 and Zhipu AI work from Beijing."),
    "tigers-zh": Page("zh", "2025-06-26", "大模型“四小虎”",
        "“大模型六小龍”的陣營已經崩盤,零一萬物和百川智能放棄基座模型訓練,咬牙堅持的"
        "“四小虎”——智譜、月之暗面、MiniMax和階躍星辰,還在試圖突圍。四家均已涉足Agent領域。"
        "李開復認爲,國內大模型會收斂到DeepSeek、阿里和字節三家企業。"),
    "r2-zh": Page("zh", "2025-06-26", "DeepSeek-R2",
        "最新報道稱,DeepSeek-R2很可能不會在短期內發佈,原因在於樑文鋒對R2現在的性能還不滿意,"
        "工程師團隊仍在全力優化和打磨。"),
}  # fmt: skip

TASKS: tuple[TaskSpec, ...] = (
    # -- lookup ---------------------------------------------------------------------------
    TaskSpec("lookup", "zh", "MiniMax-M1的參數量是多少?", (
        ChainSpec((("MiniMax-M1", "參數量", "m1-zh", "4560億"),), ("6710億", "2350億", "1萬億")),
    ), aliases=("456B", "456 billion", "4560亿", "4560億參數")),
    TaskSpec("lookup", "en", "What attention architecture does MiniMax-M1 use?", (
        ChainSpec((("MiniMax-M1", "attention architecture", "m1-en", "Lightning Attention"),),
                  ("Multi-head Latent Attention", "Sliding Window Attention", "CISPO")),
    ), aliases=("閃電注意力", "Lightning Attention hybrid architecture")),
    TaskSpec("lookup", "en", "What did MiniMax-M1's reinforcement-learning training cost?", (
        ChainSpec((("MiniMax-M1", "training cost", "m1-en", "3.8 million yuan"),),
                  ("38 million yuan", "5.6 million dollars", "3.8 million dollars")),
    ), aliases=("380萬元", "380万元", "3.8 million RMB", "RMB 3.8 million")),
    TaskSpec("lookup", "zh", "Manus的創始人是誰?", (
        ChainSpec((("Manus", "創始人", "manus-zh", "肖弘"),), ("楊植麟", "閆俊傑", "印奇")),
    ), aliases=("Xiao Hong",)),
    TaskSpec("lookup", "en", "Which models is the Manus agent built on?", (
        ChainSpec((("Manus", "underlying models", "manus-en", "Claude and Qwen"),),
                  ("GPT-4o and Claude", "DeepSeek and Qwen", "Claude only")),
    ), aliases=("Claude + Qwen", "Claude+Qwen", "Qwen and Claude")),
    TaskSpec("lookup", "zh", "可靈AI今年一季度營收多少?", (
        ChainSpec((("可靈AI", "一季度營收", "kling-zh", "1.5億元"),), ("15億元", "1億元", "5億元")),
    ), aliases=("1.5亿元", "1.5億", "150 million yuan")),
    TaskSpec("lookup", "zh", "階躍星辰停止大範圍投入的角色扮演類產品叫什麼?", (
        ChainSpec((("階躍星辰", "角色扮演", "stepfun-zh", "冒泡鴨"),), ("星野", "Talkie", "豆包")),
    ), aliases=("冒泡鸭", "Maopaoya")),
    # -- multi_hop ------------------------------------------------------------------------
    TaskSpec("multi_hop", "zh", "開發Kimi-Researcher的公司,創始人是誰?", (
        ChainSpec((
            ("Kimi-Researcher", "開發公司", "kimi-zh", "月之暗面"),
            ("月之暗面", "創始人", "moonshot-zh", "楊植麟"),
        ), ("閆俊傑", "肖弘", "樑文鋒")),
    ), aliases=("Yang Zhilin", "杨植麟")),
    TaskSpec("multi_hop", "en", "Who founded the company that developed MiniMax-M1?", (
        ChainSpec((
            ("MiniMax-M1", "developer", "m1-en", "MiniMax"),
            ("MiniMax", "founder", "minimax-en", "Yan Junjie"),
        ), ("Yang Zhilin", "Liang Wenfeng", "Xiao Hong")),
    ), aliases=("閆俊傑", "闫俊杰")),
    TaskSpec("multi_hop", "en", "In which city is the company that developed MiniMax-M1 "
             "headquartered?", (
        ChainSpec((
            ("MiniMax-M1", "developer", "m1-en", "MiniMax"),
            ("MiniMax", "headquarters", "minimax-en", "Shanghai"),
        ), ("Beijing", "Hangzhou", "Shenzhen")),
    ), aliases=("上海",)),
    TaskSpec("multi_hop", "zh", "與階躍星辰聯合研發智駕模型的企業,由誰入主?", (
        ChainSpec((
            ("階躍星辰", "智駕模型", "stepfun-zh", "千里科技"),
            ("千里科技", "入主者", "qianli-zh", "印奇"),
        ), ("李書福", "楊植麟", "閆俊傑")),
    ), aliases=("Yin Qi",)),
    # -- breadth --------------------------------------------------------------------------
    TaskSpec("breadth", "zh", "智譜AI、MiniMax、月之暗面三家公司中,哪家成立最早?", (
        ChainSpec((("智譜AI", "成立年份", "zhipu-zh", "2019"),), ("2020", "2018"),
                  question="智譜AI成立於哪一年?"),
        ChainSpec((("MiniMax", "成立年份", "minimax-zh", "2021"),), ("2022", "2020"),
                  question="MiniMax成立於哪一年?"),
        ChainSpec((("月之暗面", "成立年份", "moonshot-zh", "2023"),), ("2022", "2024"),
                  question="月之暗面成立於哪一年?"),
    ), combine="argmin", aliases=("智譜", "Zhipu AI", "智谱AI")),
    TaskSpec("breadth", "en", "Which of these models has the most total parameters: "
             "MiniMax-M1, DeepSeek-R1 or Kimi K2?", (
        ChainSpec((("MiniMax-M1", "total parameters", "m1-en", "456"),), ("235", "671"),
                  question="How many billion total parameters does MiniMax-M1 have?"),
        ChainSpec((("DeepSeek-R1", "total parameters", "r1-en", "671"),), ("685", "456"),
                  question="How many billion total parameters does DeepSeek-R1 have?"),
        ChainSpec((("Kimi K2", "total parameters", "k2-en", "1000"),), ("671", "32"),
                  question="How many billion total parameters does Kimi K2 have?"),
    ), combine="argmax"),
    TaskSpec("breadth", "en", "Which of these companies was founded most recently: "
             "Zhipu AI, MiniMax or StepFun?", (
        ChainSpec((("Zhipu AI", "founding year", "zhipu-en", "2019"),), ("2020", "2021"),
                  question="In which year was Zhipu AI founded?"),
        ChainSpec((("MiniMax", "founding year", "minimax-en", "2021"),), ("2022", "2020"),
                  question="In which year was MiniMax founded?"),
        ChainSpec((("StepFun", "founding year", "stepfun-en", "2023"),), ("2022", "2024"),
                  question="In which year was StepFun founded?"),
    ), combine="argmax", aliases=("階躍星辰",)),
    # -- conflict -------------------------------------------------------------------------
    TaskSpec("conflict", "en", "What is Kimi-Researcher's latest Pass@1 score on Humanity's "
             "Last Exam (HLE)?", (
        ChainSpec((("Kimi-Researcher", "HLE score", "kimi-en", "26.9%"),), ("8.6%", "26.6%",
                  "40.17%"), decoys=((0, "kimi-old-en", "8.6%", "outdated"),)),
    ), aliases=("26.9",)),
    TaskSpec("conflict", "zh", "Kimi-Researcher在人類終極考試(HLE)上最新的Pass@1分數是多少?", (
        ChainSpec((("Kimi-Researcher", "HLE分數", "kimi-zh", "26.9%"),), ("8.6%", "26.6%",
                  "40.17%"), decoys=((0, "kimi-old-zh", "8.6%", "outdated"),)),
    ), aliases=("26.9",)),
    TaskSpec("conflict", "zh", "智譜AI今年從地方國資獲得的融資額最新是多少?", (
        ChainSpec((("智譜AI", "融資額", "zhipu-zh", "20億元"),), ("10億元", "30億元", "5億元"),
                  decoys=((0, "zhipu-old-zh", "10億元", "outdated"),)),
    ), aliases=("20亿元", "20億", "2 billion yuan")),
    # -- dead_end -------------------------------------------------------------------------
    TaskSpec("dead_end", "en", "Who founded Moonshot AI?", (
        ChainSpec((("月之暗面", "創始人", "moonshot-zh", "楊植麟"),), ("Yan Junjie", "Xiao Hong",
                  "Liang Wenfeng"), entry="Moonshot AI",
                  rename=("Moonshot AI", "also known as", "moonshot-en", "月之暗面")),
    ), aliases=("Yang Zhilin", "杨植麟")),
    TaskSpec("dead_end", "zh", "海螺AI聊天機器人背後公司的創始人是誰?", (
        ChainSpec((("MiniMax", "創始人", "minimax-zh", "閆俊傑"),), ("楊植麟", "肖弘", "印奇"),
                  entry="海螺AI", rename=("海螺AI", "更名為", "hailuo-rename-zh", "MiniMax")),
    ), aliases=("Yan Junjie", "闫俊杰")),
    TaskSpec("dead_end", "zh", "稀宇科技的總部設在哪座城市?", (
        ChainSpec((("MiniMax", "總部所在地", "minimax-zh", "上海"),), ("北京", "杭州", "深圳"),
                  entry="稀宇科技", rename=("稀宇科技", "品牌名稱", "xiyu-zh", "MiniMax")),
    ), aliases=("Shanghai",)),
    TaskSpec("dead_end", "en", "How much revenue did Kling AI make in the first quarter of "
             "this year?", (
        ChainSpec((("可靈AI", "一季度營收", "kling-zh", "1.5億元"),), ("15億元", "1億元",
                  "5億元"), entry="Kling AI",
                  rename=("Kling AI", "also known as", "kling-en", "可靈AI")),
    ), aliases=("150 million yuan", "1.5亿元", "RMB 150 million")),
)  # fmt: skip
