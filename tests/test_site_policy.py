"""The published policy: every fact of the seed text, its structure, versions and mail links."""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from sitegen.build import BuildResult
from tests.support.site import LANGUAGES, read_page

# (language, fact): each must appear on /<lang>/privacy/ exactly as written here.
FACTS = [
    ("en", "palata2020@bk.ru"),
    ("ru", "palata2020@bk.ru"),
    ("en", 'Law of the Republic of Kazakhstan of 21 May 2013 No. 94-V "On Personal Data and Their'),
    ("ru", "Закона Республики Казахстан от 21 мая 2013 года № 94-V «О персональных данных и их"),
    ("en", "Commonwealth (hereinafter, the Operator)"),
    ("ru", "Содружеством (далее — Оператор)"),
    ("en", "http://estimation.kz"),
    ("ru", "http://estimation.kz"),
    # The list of data.
    ("en", "last name, first name and patronymic"),
    ("en", "email address"),
    ("en", "telephone numbers"),
    ("ru", "фамилия, имя, отчество"),
    ("ru", "адрес электронной почты"),
    ("ru", "номера телефонов"),
    ("en", "(Yandex Metrica, Google Analytics and others)"),
    ("ru", "(Яндекс Метрика, Google Analytics и других)"),
    # Purposes.
    ("en", "The purpose of processing the User's personal data is to inform the User by email."),
    ("ru", "информирование Пользователя посредством отправки электронных писем"),
    ("en", "notifications about new products and services, special offers and various events"),
    (
        "ru",
        "уведомления о новых продуктах и услугах, специальных предложениях и различных событиях",
    ),
    ("en", "to improve the quality of the website and its content"),
    ("ru", "улучшения качества сайта и его содержания"),
    # Legal basis, terms, cross-border, final provisions.
    ("en", "saving cookies and using JavaScript technology are enabled"),
    ("ru", "включено сохранение файлов cookie и использование технологии JavaScript"),
    ("en", "The term of personal data processing is unlimited."),
    ("ru", "Срок обработки персональных данных является неограниченным."),
    ("en", "ensures reliable protection of the rights of personal data subjects"),
    ("ru", "обеспечивается надёжная защита прав субъектов персональных данных"),
    ("en", "written consent of the personal data subject"),
    ("ru", "согласия в письменной форме субъекта персональных данных"),
    ("en", "valid indefinitely until it is replaced by a new version"),
    ("ru", "действует бессрочно до замены её новой версией"),
    ("en", 'provided "as is", without any warranties'),
    ("ru", "по принципу «как есть» без каких-либо гарантий"),
    ("en", "authorized government agencies is required by the current legislation of the Republic"),
    ("ru", "уполномоченным государственным органам предписано действующим законодательством"),
    ("en", "right to make changes to this Privacy Policy without the User's consent"),
    ("ru", "вправе вносить изменения в настоящую политику конфиденциальности без согласия"),
    # Kazakh: every fact again, in the words of the official Kazakh text of Law No. 94-V.
    ("kk", "palata2020@bk.ru"),
    ("kk", "«Дербес деректер және оларды қорғау туралы» Қазақстан Республикасының 2013 жылғы"),
    ("kk", "21 мамырдағы № 94-V Заңының"),
    ("kk", "Достастықтың (бұдан әрі – Оператор)"),
    ("kk", "http://estimation.kz"),
    ("kk", "тегі, аты, әкесінің аты"),
    ("kk", "электрондық пошта мекенжайы"),
    ("kk", "телефон нөмірлері"),
    ("kk", "(Yandex Metrica, Google Analytics және басқалар)"),
    ("kk", "Пайдаланушыны электрондық хаттар жіберу арқылы хабардар ету"),
    (
        "kk",
        "жаңа өнімдер мен қызметтер, арнайы ұсыныстар және түрлі іс-шаралар туралы хабарламалар",
    ),
    ("kk", "сайттың және оның мазмұнының сапасын жақсарту"),
    ("kk", "cookie файлдарын сақтау және JavaScript технологиясын пайдалану қосылған болса"),
    ("kk", "Дербес деректерді өңдеу мерзімі шектелмеген."),
    ("kk", "дербес деректер субъектілерінің құқықтарын сенімді қорғауды қамтамасыз ететініне"),
    ("kk", "трансшекаралық беруге жазбаша нысандағы келісімі"),
    ("kk", "жаңа нұсқамен ауыстырылғанға дейін мерзімсіз қолданылады"),
    ("kk", "«сол күйінде» қағидаты бойынша ешқандай кепілдіксіз"),
    ("kk", "уәкілетті мемлекеттік органдарға ұсыну Қазақстан Республикасының қолданыстағы"),
    ("kk", "осы құпиялылық саясатына Пайдаланушының келісімінсіз өзгерістер енгізуге"),
]

TERMS = {
    "en": [
        "Automated processing of personal data",
        "Blocking of personal data",
        "Website",
        "Personal data information system",
        "Anonymization of personal data",
        "Processing of personal data",
        "Operator",
        "Personal data",
        "User",
        "Provision of personal data",
        "Dissemination of personal data",
        "Cross-border transfer of personal data",
        "Destruction of personal data",
    ],
    "kk": [
        "Дербес деректерді автоматтандырылған өңдеу",
        "Дербес деректерді бұғаттау",
        "Веб-сайт",
        "Дербес деректердің ақпараттық жүйесі",
        "Дербес деректерді иесіздендіру",
        "Дербес деректерді өңдеу",
        "Оператор",
        "Дербес деректер",
        "Пайдаланушы",
        "Дербес деректерді ұсыну",
        "Дербес деректерді тарату",
        "Дербес деректерді трансшекаралық беру",
        "Дербес деректерді жою",
    ],
    "ru": [
        "Автоматизированная обработка персональных данных",
        "Блокирование персональных данных",
        "Веб-сайт",
        "Информационная система персональных данных",
        "Обезличивание персональных данных",
        "Обработка персональных данных",
        "Оператор",
        "Персональные данные",
        "Пользователь",
        "Предоставление персональных данных",
        "Распространение персональных данных",
        "Трансграничная передача персональных данных",
        "Уничтожение персональных данных",
    ],
}

SUBJECTS = {
    "en": {
        "Unsubscribe from notifications about new products and services and special offers",
        "Update personal data",
        "Withdrawal of consent to personal data processing",
    },
    "ru": {
        "Отписаться от уведомлений о новых продуктах и услугах и специальных предложениях",
        "Актуализация персональных данных",
        "Отзыв согласия на обработку персональных данных",
    },
    "kk": {
        "Жаңа өнімдер мен қызметтер және арнайы ұсыныстар туралы хабарламалардан бас тарту",
        "Дербес деректерді өзектендіру",
        "Дербес деректерді өңдеуге келісімді кері қайтарып алу",
    },
}


@pytest.mark.parametrize(("language", "fact"), FACTS)
def test_policy_states_the_fact(built_site: BuildResult, language: str, fact: str) -> None:
    assert fact in read_page(built_site.out_dir, f"/{language}/privacy/").text


@pytest.mark.parametrize("language", LANGUAGES)
def test_policy_defines_every_term(built_site: BuildResult, language: str) -> None:
    html = (built_site.out_dir / language / "privacy" / "index.html").read_text(encoding="utf-8")

    for number, term in enumerate(TERMS[language], start=1):
        assert f'<p id="clause-2-{number}">2.{number}. <strong>{term}</strong>' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_policy_has_nine_sections_with_a_table_of_contents(
    built_site: BuildResult, language: str
) -> None:
    page = read_page(built_site.out_dir, f"/{language}/privacy/")

    anchors = [f"#section-{n}" for n in range(1, 10)]
    assert [href for href in page.hrefs() if href.startswith("#section-")] == anchors
    assert {anchor[1:] for anchor in anchors} <= page.ids
    assert ("#top", {"ru": "Наверх", "en": "Back to top", "kk": "Жоғарыға"}[language]) in page.links
    assert "top" in page.ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_policy_mail_links_carry_the_exact_subjects(built_site: BuildResult, language: str) -> None:
    page = read_page(built_site.out_dir, f"/{language}/privacy/")
    mail_links = [urlsplit(href) for href in page.hrefs() if href.startswith("mailto:")]

    assert {link.path for link in mail_links} == {"palata2020@bk.ru"}
    subjects = {parse_qs(link.query)["subject"][0] for link in mail_links if link.query}
    assert subjects == SUBJECTS[language]
    # Percent-encoded, so no mail program sees a bare space or Cyrillic letter.
    assert all(" " not in link.query and link.query.isascii() for link in mail_links)
    assert any(not link.query for link in mail_links), "a plain link for questions"


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Version 1.0. In force since 25 November 2026."),
        ("ru", "Версия 1.0. Действует с 25 ноября 2026 г."),
        ("kk", "Нұсқа 1.0. Күшіне енген күні 2026 жылғы 25 қараша."),
    ],
)
def test_policy_shows_version_and_effective_date(
    built_site: BuildResult, language: str, shown: str
) -> None:
    current = read_page(built_site.out_dir, f"/{language}/privacy/")
    permanent = read_page(built_site.out_dir, f"/{language}/privacy/1.0/")

    assert shown in current.text
    assert current.text == permanent.text
    assert f"/{language}/privacy/1.0/" in current.hrefs()


def test_policy_prints_the_document_only(built_site: BuildResult) -> None:
    html = (built_site.out_dir / "en" / "privacy" / "index.html").read_text(encoding="utf-8")
    print_rules = html[html.index("@media print") :]

    for hidden in (".site-header", ".site-footer", ".toc", ".back-to-top"):
        assert hidden in print_rules.split("display: none")[0]
