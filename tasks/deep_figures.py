"""The real-world figures the `deep` suite is built from, with their sources, in one place.

Why one module: these numbers decide how large a context gets, so a reader must be able to
check each against its source, and nobody may tune one to make an architecture win. They
were written down from the sources below before the suite was first generated or any run
was made, and are not to be changed to produce an outcome (a window that holds exactly N
pages, a score). Numbers that are design choices, not measurements, are marked as such.
"""

from __future__ import annotations

RESULTS_PER_SEARCH = 10
"""Results a web search API returns per request by default. Sources: Google Custom Search
JSON API, `cse.list` reference, parameter `num` ("Number of search results to return",
1-10; developers.google.com/custom-search/v1/reference/rest/v1/cse/list); Bing Web Search
API v7, query parameter `count` ("The default is 10 and the maximum value that you may
specify is 50", as quoted from the API reference on Microsoft Q&A 1338558, 2023); Vertex
AI Search grounding `maxResults` ("The default value is 10. The maximum allowed value is
10", google-genai Java SDK reference)."""

C4_DOCUMENTS = 364_868_892
"""Documents in C4 `en` (train split), the cleaned April 2019 Common Crawl snapshot of
Raffel et al., "Exploring the Limits of Transfer Learning with a Unified Text-to-Text
Transformer", JMLR 2020. Source: the dataset card of allenai/c4 (config `en`,
`num_examples`)."""

C4_TOKENS = 156_000_000_000
"""Tokens in C4 `en` (T5 SentencePiece vocabulary): ~156 billion (Raffel et al. 2020;
Dodge et al., "Documenting Large Webtext Corpora: A Case Study on the Colossal Clean
Crawled Corpus", EMNLP 2021)."""

MAIN_TEXT_TOKENS = round(C4_TOKENS / C4_DOCUMENTS)
"""Mean tokens of a web page's main text once boilerplate is stripped: C4's tokens per
document, 156e9 / 364.9e6 = 428. The harness counts tokens its own way (harness.tokens),
which for English is close to a SentencePiece count; used for both languages."""

TEMPLATE_SHARE = 0.45
"""Share of a web page's content that is template (navigation, footers, link lists,
notices) rather than the page's own text: "40-50% of the content on the web is template
content" (Gibson, Punera and Tomkins, "The volume and evolution of web page templates",
WWW 2005, doi:10.1145/1062745.1062763); the midpoint is used."""

PAGE_TOKENS = round(MAIN_TEXT_TOKENS / (1 - TEMPLATE_SHARE))
"""Mean tokens of a whole page, main text plus template: 428 / 0.55 = 778."""

LENGTH_SPREAD = 0.5
"""Design choice, not a measurement: a page's main text is drawn uniformly within
+-50% of the mean, so pages differ in length while the mean stays the cited one."""

HOPS = (4, 8)
"""Design choice (issue 14): hops of the sequential (multi-hop) tasks."""

BREADTH = (6, 10)
"""Design choice (issue 14): entities compared by a breadth task, up to ten."""

NAMESAKES = 3
"""Design choice: namesake pages made for each of up to `NAMESAKE_SUBJECTS` subjects of a
chain (the default suite makes two for one subject)."""

NAMESAKE_SUBJECTS = 3

STALE_RATE = 0.5
"""Design choice: the chance that a changeable fact on a long chain (a mayor, a chief
executive, a headquarters) also has an older, dated page stating its former value."""
