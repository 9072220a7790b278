"""CUAD loading helpers and the span projection between pypdf text and the publisher's text."""

from legal_orch.datasets.cuad import file_key, gold_pieces
from legal_orch.datasets.cuad_align import Stream, locate, project


def test_file_keys_meet_across_csv_pdf_and_txt_spellings():
    assert file_key("Monsanto Company - SECOND A&R AGENCY AGREEMENT .PDF") == file_key(
        "Monsanto Company - SECOND A_R AGENCY AGREEMENT .txt"
    )
    assert file_key("KALLOINC-EX-10.1-ALLIANCE AGREEMENT.PDF'") == file_key(
        "KALLOINC-EX-10.1-ALLIANCE AGREEMENT.txt"
    )
    assert file_key("X_Supply Agreement_Option Agreement.pdf") == file_key("x_supply agreement.txt")


def test_gold_pieces_split_omitted_and_skip_empty():
    cell = "['first part <omitted> second part', 'other']"
    assert gold_pieces(cell) == ["first part", "second part", "other"]
    assert gold_pieces("[]") == [] and gold_pieces("") == []


def test_project_maps_a_pdf_span_onto_the_publishers_text():
    pdf = "Header\n\nThis\xa0Agreement is gov-\nerned by the laws of Texas.\n\nPage 2"
    txt = "This Agreement is governed by the laws of Texas. Other text."
    start = pdf.index("This")
    end = pdf.index("Texas.") + len("Texas.")
    assert (
        project(Stream.of(pdf), start, end, Stream.of(txt))
        == "This Agreement is governed by the laws of Texas"
    )


def test_locate_prefers_the_occurrence_near_the_expected_place():
    hay = Stream.of("March 1, 2010 ... filler ... March 1, 2010 end")
    first, second = hay.text.index("March"), hay.text.rindex("March")
    assert locate(hay, "March 1, 2010", 0.0)[0] == first
    assert locate(hay, "March 1, 2010", 0.9)[0] == second
    assert locate(hay, "not there at all") is None
