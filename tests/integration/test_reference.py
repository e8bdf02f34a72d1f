"""Reference data: districts, divisions, size classes by the 2017 rules, the 规上 rule."""

from portal import reference


def test_five_units_of_the_plan():
    assert reference.DISTRICT_VALUES == ("鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区")
    assert reference.normalize_district("葛店开发区") == "葛店经开区"
    assert reference.normalize_district("武昌区") is None


def test_manufacturing_divisions_13_to_43():
    assert list(reference.INDUSTRY_DIVISIONS) == [str(n) for n in range(13, 44)]
    assert reference.normalize_division("C31") == "31"
    assert reference.normalize_division("12") is None


def test_size_classes_need_both_thresholds():
    assert reference.size_class(1000, 40000) == "large"
    assert reference.size_class(5000, 39999) == "medium"  # revenue misses the large threshold
    assert reference.size_class(300, 2000) == "medium"
    assert reference.size_class(299, 100000) == "small"
    assert reference.size_class(20, 300) == "small"
    assert reference.size_class(19, 100000) == "micro"
    assert reference.size_class(500, 299) == "micro"


def test_above_designated_size_from_2000_wan():
    assert reference.is_above_designated_size(2000)
    assert not reference.is_above_designated_size(1999.9)
    assert reference.band_for_revenue(2500) == "2000-10000"
    assert reference.size_class_for_band(150, "2000-10000") == "small"
