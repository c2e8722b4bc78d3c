"""cdht add-in: the operations on filled workbooks (compute, check, merge) and their front-ends.

The xlwings entry points (ribbon buttons) and the ``cdht`` CLI are thin skins over the same
library functions. Depends on ``generator``; never imported by it.
"""
from cdht import __version__  # noqa: F401


def _entry(name):
    def call(*args, **kwargs):
        from cdht_addin import buttons as xlwings_entry  # imported on first click: xlwings stays optional for the CLI

        return getattr(xlwings_entry, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Ribbon button: see :func:`cdht_addin.buttons.{name}`."
    return call


# The ribbon buttons (macros/cdht.bas: RunPython "import cdht_addin; cdht_addin.<name>(...)").
tinh_muc_do = _entry("tinh_muc_do")
kiem_tra_minh_chung = _entry("kiem_tra_minh_chung")
gop_bao_cao = _entry("gop_bao_cao")
xuat_ban_tong_hop = _entry("xuat_ban_tong_hop")
chuyen_mau_nam = _entry("chuyen_mau_nam")
tao_ho_so = _entry("tao_ho_so")
gioi_thieu = _entry("gioi_thieu")
