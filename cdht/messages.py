"""Every user-facing message of the product, with its stable code.

One catalogue, the way pyxform keeps its errors: a code (``CDHT-<area><nnn>``), a severity,
the Vietnamese text of *what is wrong* and of *how to fix it*. Nothing else in the code writes
message text inline; it builds a :class:`Finding` from a code and the facts of the case.

Areas: C = catalogue (bộ tiêu chí), T = template (biểu mẫu), W = workbook (sổ tính được nộp),
E = evidence (minh chứng), M = merge (tổng hợp), A = add-in, K = contributing departments,
P = province profile (hồ sơ cấu hình tỉnh), recognition register and signatures,
D = dossier (hồ sơ: tờ trình, báo cáo, thẩm định, quyết định; minh chứng theo mức độ).
"""
from __future__ import annotations

import errno
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "lỗi"
WARNING = "cảnh báo"
INFO = "thông tin"

# code: (severity, what is wrong, how to fix it). Templates use str.format(**facts).
MESSAGES: dict[str, tuple[str, str, str]] = {
    # --- catalogue (bộ tiêu chí) -------------------------------------------------------------
    "CDHT-C001": (ERROR, "Không đọc được tệp bộ tiêu chí ({reason}).",
                  "Kiểm tra đường dẫn tệp và quyền đọc."),
    "CDHT-C015": (ERROR, "Cú pháp YAML sai ở cột {column}.",
                  "Sửa dòng này: thụt lề bằng dấu cách (không dùng Tab), dấu ':' sau tên khóa, ngoặc "
                  "và dấu nháy đóng mở đủ cặp."),
    "CDHT-C016": (ERROR, "Nội dung tệp bộ tiêu chí không phải một bảng khóa: giá trị.",
                  "Tệp phải bắt đầu bằng các khóa như 'id:', 'tiers:' (xem tt25-2023.yaml)."),
    "CDHT-C002": (ERROR, "Khóa '{key}' không thuộc cấu trúc của bộ tiêu chí.",
                  "Xóa khóa này hoặc sửa chính tả cho đúng tên khóa trong tài liệu bộ tiêu chí."),
    "CDHT-C003": (ERROR, "Thiếu khóa bắt buộc '{key}'.",
                  "Thêm khóa '{key}' vào đúng vị trí."),
    "CDHT-C004": (ERROR, "Giá trị {value} của '{key}' không hợp lệ: {reason}.",
                  "Sửa giá trị theo kiểu dữ liệu được yêu cầu."),
    "CDHT-C005": (ERROR, "Mã '{id}' bị trùng (đã dùng ở dòng {other_line}).",
                  "Đặt cho mỗi tiêu chí, chỉ tiêu và trường nhập một mã duy nhất."),
    "CDHT-C006": (ERROR, "Quy tắc của chỉ tiêu {indicator} dùng trường '{key}' không được khai báo.",
                  "Khai báo trường '{key}' trong 'fields' của chỉ tiêu hoặc 'unit_fields' của cấp, "
                  "hoặc sửa tên trường trong quy tắc."),
    "CDHT-C007": (ERROR, "Ngưỡng {value} của chỉ tiêu {indicator} nằm ngoài khoảng cho phép {range}.",
                  "Ghi tỷ lệ theo phần trăm từ 0 đến 100 (ví dụ 60 cho 60%), số đếm là số nguyên ≥ 0."),
    "CDHT-C008": (ERROR, "Cấp '{tier}' được nhắc tới nhưng không có trong phân cấp (hierarchy).",
                  "Thêm '{tier}' vào 'hierarchy.tiers' và khai báo cấp đó trong 'tiers', hoặc sửa tên cấp."),
    "CDHT-C009": (ERROR, "Mã '{id}' không đúng dạng '{expected}'.",
                  "Đặt mã theo dạng '{expected}', ví dụ 'xa.5.1' cho chỉ tiêu 1 của tiêu chí 5 cấp xã."),
    "CDHT-C010": (ERROR, "Phân cấp có {count} cấp cao nhất ({tops}), cần đúng một.",
                  "Mỗi cấp chỉ có một cấp trên, và đúng một cấp không có cấp trên (cấp cao nhất)."),
    "CDHT-C017": (ERROR, "Phân cấp có vòng lặp qua cấp '{tier}'.",
                  "Mỗi cấp chỉ có một cấp trên, và đúng một cấp không có cấp trên (cấp cao nhất)."),
    "CDHT-C011": (ERROR, "Quy tắc mức độ 2 của chỉ tiêu {indicator} thấp hơn mức độ 1.",
                  "Ngưỡng mức độ 2 phải bằng hoặc cao hơn mức độ 1 (Thông tư 25/2023: mức độ 2 giữ "
                  "nguyên hoặc nâng các yêu cầu của mức độ 1)."),
    "CDHT-C012": (ERROR, "Không tìm thấy bộ tiêu chí gốc '{base}' mà tệp này kế thừa.",
                  "Đặt tệp gốc cùng thư mục hoặc sửa khóa 'base'."),
    "CDHT-C013": (ERROR, "Chỉ tiêu '{indicator}' trong 'overrides' không tồn tại trong bộ tiêu chí.",
                  "Sửa mã chỉ tiêu hoặc xóa mục ghi đè này."),
    "CDHT-C014": (ERROR, "Kiểu trường '{type}' không phù hợp với quy tắc '{rule}' của chỉ tiêu {indicator}.",
                  "Quy tắc '{rule}' cần trường kiểu {expected}."),
    # --- template / generator (biểu mẫu) -----------------------------------------------------
    "CDHT-T001": (ERROR, "Không đọc được danh sách đơn vị ({reason}).",
                  "Sửa tệp CSV: các cột ma, ten, cap, ma_cap_tren, vung_kho_khan (hoặc tiêu đề "
                  "tiếng Việt: Mã, Tên, Cấp, Mã cấp trên, Vùng khó khăn)."),
    "CDHT-T006": (ERROR, "Danh sách đơn vị rỗng.",
                  "Ghi dòng tiêu đề (ma, ten, cap, ma_cap_tren, vung_kho_khan) và mỗi đơn vị một dòng."),
    "CDHT-T007": (ERROR, "Danh sách đơn vị thiếu cột {columns}.",
                  "Thêm các cột này vào dòng tiêu đề (hoặc tiêu đề tiếng Việt: Mã, Tên, Cấp, Mã cấp trên)."),
    "CDHT-T008": (ERROR, "Đơn vị thiếu mã.",
                  "Ghi mã đơn vị ở cột 'ma' (mã do Sở cấp), hoặc xóa dòng trống này."),
    "CDHT-T009": (ERROR, "Cấp '{value}' không phải 'xa', 'huyen' hoặc 'tinh'.",
                  "Ghi cột 'cap' là 'xa', 'huyen' hoặc 'tinh' (hoặc Xã, Huyện, Tỉnh)."),
    "CDHT-T010": (ERROR, "Mã đơn vị '{unit}' trùng với dòng {other_line}.",
                  "Mỗi đơn vị một mã duy nhất; xóa dòng trùng hoặc sửa mã."),
    "CDHT-T012": (WARNING, "Bộ tiêu chí '{edition}' có cấp huyện, nhưng từ 01/07/2025 không còn cấp huyện: hồ sơ "
                           "năm {year} (nộp năm {filed}) không thể gửi Phòng GD&ĐT hay Hội đồng đánh giá cấp huyện.",
                  "Phát hành với hồ sơ cấu hình tỉnh của năm đó (--profile; mẫu hai cấp: "
                  "cdht/catalogue/profiles/tinh-hai-cap-2026-mau.yaml, với --edition "
                  "cdht/catalogue/tt25-2023-hai-cap.yaml), để biểu mẫu ghi đúng cơ quan nhận hồ sơ."),
    "CDHT-T011": (ERROR, "Đơn vị '{unit}' có mã cấp trên '{parent}' không có trong danh sách.",
                  "Thêm đơn vị cấp trên '{parent}' vào danh sách hoặc sửa cột 'ma_cap_tren'."),
    "CDHT-T002": (ERROR, "Không có đơn vị mã '{unit}' cấp '{tier}' trong danh sách đơn vị.",
                  "Kiểm tra mã đơn vị (--unit) và cột 'cap' trong danh sách."),
    "CDHT-T003": (ERROR, "Kiểm tra biểu mẫu trước khi ghi không đạt ({count} vấn đề): {problems}.",
                  "Đây là lỗi của phần mềm tạo biểu mẫu; báo cho nhóm phát triển kèm tệp bộ tiêu chí."),
    "CDHT-T004": (ERROR, "Năm đánh giá {year} không thuộc phạm vi áp dụng của bộ tiêu chí {edition} ({years}).",
                  "Chọn bộ tiêu chí áp dụng cho năm này (--edition) hoặc sửa năm (--year)."),
    "CDHT-T005": (ERROR, "Bộ tiêu chí {edition} không có cấp '{tier}'.",
                  "Chọn một cấp có trong bộ tiêu chí: {tiers}."),
    "CDHT-T013": (ERROR, "Phát hành từ sổ năm trước (--from) cần danh sách đơn vị năm {year}: biết biểu mẫu của "
                         "đơn vị nào nhận số liệu và sổ công nhận của sổ nào.",
                  "Thêm --units DANH_SÁCH.csv hoặc --profile HỒ_SƠ.yaml (danh sách đơn vị của Sở năm {year})."),
    # (issue 18: file names made from registry codes)
    "CDHT-T025": (WARNING, "Mã đơn vị '{unit}' có ký tự không dùng được trong tên tệp (dấu '/', '\\', '..', ký tự "
                           "điều khiển…); biểu mẫu được ghi thành tệp '{name}'.",
                  "Không cần làm gì nếu mã đúng; nên dùng mã chỉ gồm chữ, số và dấu '-' trong danh sách đơn vị."),
    "CDHT-T026": (ERROR, "Mã đơn vị '{unit}' và '{other}' cho cùng một tên tệp '{name}'; không ghi biểu mẫu nào.",
                  "Sửa một trong hai mã trong danh sách đơn vị (mỗi đơn vị một mã riêng, chỉ gồm chữ, số và dấu '-')."),
    "CDHT-T027": (ERROR, "Đơn vị '{unit}': '{column}' có ký tự điều khiển ({chars}), không ghi được vào sổ tính hay "
                         "tên tệp; chưa ghi biểu mẫu nào.",
                  "Gõ lại giá trị này trong danh sách đơn vị hoặc hồ sơ cấu hình tỉnh (không dán từ Word hay trang "
                  "web), lưu lại (CSV: dạng CSV UTF-8) rồi phát hành lại."),
    "CDHT-T028": (WARNING, "{count} mã cấp {tier} chỉ gồm chữ số nhưng ngắn hơn các mã cùng cấp khác ({length} chữ "
                           "số), ví dụ {examples}: có thể Excel đã bỏ số 0 ở đầu khi mở rồi lưu lại tệp CSV.",
                  "Mở tệp bằng Notepad để xem mã đã ghi; nếu mất số 0, sửa lại mã (trong Excel: Dữ liệu › Từ "
                  "Văn bản/CSV, đặt cột mã kiểu Văn bản) rồi chạy lại. Bỏ qua cảnh báo nếu mã vốn ngắn như vậy."),
    # (issue 18)
    "CDHT-T020": (WARNING, "Mật khẩu bảo vệ dài {length} ký tự: Excel chỉ dùng tối đa 15 ký tự cho mật khẩu bảo vệ "
                           "trang tính và sổ tính (mã băm kiểu cũ), nên mã băm ghi vào biểu mẫu không theo chuẩn và "
                           "Excel có thể không mở được bảo vệ bằng mật khẩu này.",
                  "Dùng mật khẩu từ 1 đến 15 ký tự (--password)."),
    # --- workbook read / validate (sổ tính) -------------------------------------------------------
    "CDHT-W001": (ERROR, "Không đọc được tệp ({reason}).",
                  "Kiểm tra đường dẫn tệp."),
    "CDHT-W002": (ERROR, "Tệp không phải sổ tính Excel .xlsx hợp lệ ({reason}).",
                  "Mở tệp bằng Excel và lưu lại dưới dạng Excel Workbook (.xlsx) từ biểu mẫu gốc."),
    "CDHT-W003": (ERROR, "Tệp được bảo vệ bằng mật khẩu mở tệp (mã hóa), phần mềm không đọc được.",
                  "Bỏ mật khẩu mở tệp (File > Info > Protect Workbook > Encrypt with Password) rồi nộp lại."),
    "CDHT-W004": (ERROR, "Tệp định dạng Excel cũ .xls, không phải biểu mẫu của Sở.",
                  "Nhập số liệu vào biểu mẫu .xlsx do Sở GD&ĐT phát hành cho năm đánh giá."),
    "CDHT-W005": (INFO, "Bỏ qua tệp khóa tạm của Excel ('~$…'): tệp gốc đang mở trong Excel.",
                  "Không cần làm gì; đóng Excel trước khi tổng hợp để tránh số liệu chưa lưu."),
    "CDHT-W006": (ERROR, "Sổ tính không phải biểu mẫu Cộng đồng học tập (không có trang _meta / thuộc tính nhận diện).",
                  "Dùng biểu mẫu do Sở GD&ĐT phát hành (cdht generate), không tự tạo sổ tính mới."),
    "CDHT-W007": (ERROR, "Biểu mẫu thuộc bộ tiêu chí '{edition}' không được hỗ trợ.",
                  "Dùng biểu mẫu của bộ tiêu chí hiện hành hoặc chỉ định tệp bộ tiêu chí (--edition)."),
    "CDHT-W009": (ERROR, "Thiếu tên vùng (defined name) '{name}' trong sổ tính.",
                  "Không xóa hay đổi tên vùng trong biểu mẫu; nhập lại số liệu vào biểu mẫu gốc."),
    "CDHT-W010": (ERROR, "Ô '{label}' chứa giá trị lỗi {value}.",
                  "Xóa giá trị lỗi và nhập lại số liệu đúng."),
    "CDHT-W011": (ERROR, "Ô '{label}' phải là số nhưng đang chứa chữ '{value}'.",
                  "Nhập một số (không kèm đơn vị, dấu % hay chữ)."),
    "CDHT-W012": (ERROR, "Ô '{label}' có giá trị {value} nằm ngoài khoảng cho phép {range}.",
                  "Nhập giá trị trong khoảng {range}."),
    "CDHT-W013": (ERROR, "Ô '{label}' phải là số nguyên, đang là {value}.",
                  "Nhập số nguyên (không có phần thập phân)."),
    "CDHT-W014": (ERROR, "Ô '{label}' = {value} lớn hơn mẫu số {den_cell} ({den_label}) = {den_value}.",
                  "Tử số không được lớn hơn mẫu số; kiểm tra lại hai số liệu."),
    "CDHT-W015": (ERROR, "Ô '{label}' chỉ nhận {allowed}, đang là '{value}'.",
                  "Chọn giá trị trong danh sách thả xuống."),
    "CDHT-W016": (WARNING, "Ô '{label}' chưa được nhập.",
                  "Nhập số liệu hoặc chọn kết quả cho ô này."),
    "CDHT-W017": (WARNING, "Văn bản ở ô này chưa chuẩn hóa Unicode (NFC); đã đọc theo dạng chuẩn.",
                  "Gõ lại bằng bộ gõ Unicode dựng sẵn (Unikey: bảng mã Unicode, kiểu dựng sẵn)."),
    "CDHT-W018": (ERROR, "Trang tính này đã bị bỏ bảo vệ.",
                  "Dùng bản biểu mẫu gốc; không bỏ bảo vệ trang tính."),
    "CDHT-W019": (ERROR, "Công thức hoặc ô khóa đã bị thay đổi so với biểu mẫu gốc.",
                  "Nhập lại số liệu vào biểu mẫu gốc do Sở phát hành; không sửa ô công thức."),
    "CDHT-W020": (ERROR, "Trang tính này của biểu mẫu đã bị xóa hoặc đổi tên.",
                  "Dùng bản biểu mẫu gốc; không xóa hay đổi tên trang tính."),
    "CDHT-W021": (ERROR, "Dấu vân tay bố cục của biểu mẫu không khớp (biểu mẫu đã bị sửa cấu trúc).",
                  "Nhập lại số liệu vào biểu mẫu gốc do Sở phát hành."),
    "CDHT-W022": (ERROR, "Sổ tính đang mở trong Excel (có tệp khóa '{lock}'); không ghi để tránh mất dữ liệu chưa lưu.",
                  "Lưu và đóng tệp trong Excel rồi chạy lại."),
    "CDHT-W023": (ERROR, "Không ghi được tệp ({reason}).",
                  "Kiểm tra quyền ghi thư mục và dung lượng đĩa; tệp gốc không bị thay đổi."),
    "CDHT-W024": (ERROR, "Tệp quá lớn khi giải nén ({size} MB > {limit} MB), có thể là tệp hỏng hoặc độc hại.",
                  "Nộp lại biểu mẫu gốc đã điền; không chèn ảnh hay dữ liệu lớn vào biểu mẫu."),
    "CDHT-W026": (ERROR, "Biểu mẫu dùng cách tính dấu vân tay '{found}' mà phiên bản phần mềm này không biết; "
                  "không kiểm tra được biểu mẫu có bị sửa hay không.",
                  "Cập nhật phần mềm cdht lên phiên bản đã phát hành biểu mẫu, hoặc dùng biểu mẫu năm hiện hành."),
    "CDHT-W027": (ERROR, "Không phải tệp thông thường ({kind}); không đọc để tránh treo máy hoặc hết bộ nhớ.",
                  "Chép sổ tính thật (tệp .xlsx) vào thư mục; xóa lối tắt, ống dẫn hay thiết bị mang tên sổ tính."),
    "CDHT-W028": (WARNING, "Văn bản ở ô này có {count} ký tự điều khiển (như dấu ngắt dòng dán từ Word) không ghi "
                  "được vào sổ tính; đã thay bằng xuống dòng hoặc bỏ đi.",
                  "Gõ lại nội dung ô (xuống dòng trong ô bằng Alt+Enter), không dán ký tự đặc biệt."),
    "CDHT-W029": (ERROR, "Ô '{label}' chứa giá trị {value}, không phải một số hữu hạn (do phần mềm khác ghi vào).",
                  "Xóa ô và nhập lại số liệu bằng Excel hoặc LibreOffice."),
    "CDHT-W030": (ERROR, "Một lần tổng hợp khác đang ghi sổ này (tiến trình {pid} trên máy {host}, bắt đầu {started}); "
                  "không ghi để không làm mất dữ liệu của lần kia.",
                  "Chờ lần tổng hợp kia xong rồi chạy lại. Nếu chắc chắn không còn ai đang tổng hợp (máy kia đã tắt), "
                  "xóa tệp khóa '{lock}' nằm cạnh sổ rồi chạy lại."),
    "CDHT-W032": (ERROR, "Thư mục '{folder}' có tệp không do lệnh chạy thử tạo ra; không ghi gì để không xóa hay ghi "
                  "đè tệp của bạn.",
                  "Chọn một thư mục mới hoặc trống cho --out, hoặc chuyển tệp này ra khỏi thư mục."),
    "CDHT-W031": (ERROR, "Biểu mẫu năm {found}, cần năm {year} — dùng cdht migrate; các ngày minh chứng không được "
                         "kiểm tra theo năm này.",
                  "Chuyển sang biểu mẫu năm {year}: cdht migrate <tệp> --year {year} (hoặc nút 'Chuyển sang mẫu năm "
                  "sau' trên thẻ Cộng đồng học tập); lệnh chuyển minh chứng và các ô còn dùng được, liệt kê các ô cần "
                  "nhập số liệu năm {year}. Rồi kiểm tra tệp mới."),
    # (issue 17: cdht migrate — a workbook carried into the template of another year / version)
    "CDHT-W040": (ERROR, "Sổ tính nguồn không còn đúng như Sở phát hành (biểu mẫu bị sửa hoặc thông tin đơn vị khác "
                         "thông tin của Sở: xem {causes}); không chuyển số liệu từ tệp này.",
                  "Dùng bản sổ tính đúng như Sở phát hành cho đơn vị (bản đã nộp hoặc bản lưu), hoặc nhập số liệu "
                  "trực tiếp vào biểu mẫu mới do Sở phát hành."),
    "CDHT-W041": (ERROR, "Sổ tính nguồn là {kind}, không phải sổ tính Sở phát hành cho một đơn vị (năm {year}); "
                         "không biết chắc đơn vị nào để phát hành biểu mẫu mới.",
                  "Xin Sở biểu mẫu phát hành cho đơn vị (cdht generate --profile/--units) và nhập số liệu vào đó; "
                  "chỉ sổ tính Sở phát hành cho đơn vị mới chuyển được sang năm khác."),
    "CDHT-W042": (ERROR, "Đơn vị '{unit}' không còn trong danh sách đơn vị năm {year}: đã sáp nhập vào '{successor}' "
                         "({successor_name}).",
                  "Không chuyển sổ của đơn vị cũ sang đơn vị mới: '{successor}' tự đánh giá trên biểu mẫu năm {year} "
                  "do Sở phát hành cho '{successor}'; minh chứng của đơn vị cũ có thể chép sang đó."),
    "CDHT-W043": (ERROR, "Tệp đích '{target}' đã có (hoặc chính là sổ tính nguồn); không ghi đè.",
                  "Mở tệp đó nếu đó là lần chuyển trước; nếu không, chọn tên khác (--out) hoặc chuyển tệp cũ sang "
                  "thư mục khác rồi chạy lại."),
    "CDHT-W044": (WARNING, "Sổ tính mới chưa được xác nhận theo danh sách của Sở: {reason}.",
                  "Chạy lại với --profile <hồ sơ cấu hình tỉnh năm {year}> (và --signing-key ở máy của Sở), hoặc "
                  "dùng biểu mẫu năm {year} do Sở phát hành cho đơn vị."),
    "CDHT-W045": (INFO, "Ô '{label}' (sổ năm {found} ghi {value}) để trống: số liệu và kết luận của năm {found} không "
                        "phải của năm {year}.",
                  "Nhập số liệu, kết luận của năm {year} (từ 01/01 đến 31/12/{year}) vào ô này."),
    "CDHT-W046": (WARNING, "Không chuyển giá trị {value} vào ô '{label}': biểu mẫu mới không nhận giá trị này (xem {causes}).",
                  "Nhập lại giá trị đúng vào ô này của sổ tính mới."),
    "CDHT-W047": (WARNING, "'{what}' ({value}) không có chỗ trong biểu mẫu năm {year}; không chuyển.",
                  "Nếu nội dung này còn cần cho hồ sơ, ghi vào cột Ghi chú của một dòng minh chứng trong sổ tính mới."),
    "CDHT-W048": (WARNING, "Minh chứng '{title}' ban hành ngày {date} (năm {found}), trước năm đánh giá {year}; "
                           "đã chuyển sang sổ mới.",
                  "Giữ dòng này nếu văn bản vẫn chứng minh chỉ tiêu cho năm {year} (ví dụ quyết định thành lập, quy "
                  "chế phối hợp còn hiệu lực); nếu không, thay bằng văn bản của năm {year}."),
    "CDHT-W049": (INFO, "'{fact}' của đơn vị: sổ năm {found} ghi '{old}', danh sách đơn vị năm {year} ghi '{new}'; sổ "
                        "mới dùng '{new}'.",
                  "Không cần làm gì nếu danh sách của Sở đúng; nếu sai, đề nghị Sở sửa hồ sơ cấu hình."),
    # (issue 17: the command line's own errors, in Vietnamese with a code; exit status 2)
    "CDHT-W033": (ERROR, "Lệnh '{command}' không có tùy chọn '{option}'.",
                  "Dùng một trong các tùy chọn của lệnh: {options}. Xem hướng dẫn: {command} --help."),
    "CDHT-W034": (ERROR, "Lệnh '{command}' thiếu {param} ({expected}).",
                  "Cách gọi: {usage}. Xem hướng dẫn: {command} --help."),
    "CDHT-W035": (ERROR, "Giá trị '{value}' của {param} không dùng được: {reason}.",
                  "Ghi {param} là {expected}. Xem hướng dẫn: {command} --help."),
    "CDHT-W036": (ERROR, "Không có lệnh '{name}' trong '{command}'.",
                  "Dùng một trong các lệnh: {commands}. Xem hướng dẫn: {command} --help."),
    "CDHT-W037": (ERROR, "Cách gọi lệnh '{command}' không đúng: {problem}.",
                  "Cách gọi: {usage}. Xem hướng dẫn: {command} --help."),
    "CDHT-W038": (ERROR, "Tùy chọn '{option}' của lệnh '{command}' cần một giá trị ({expected}) ngay sau nó.",
                  "Ghi giá trị ngay sau {option} (cách gọi: {usage}). Xem hướng dẫn: {command} --help."),
    "CDHT-W039": (ERROR, "Lệnh '{command}' không nhận thêm '{extra}'.",
                  "Cách gọi: {usage}. Đường dẫn có dấu cách phải đặt trong dấu nháy kép. Xem hướng dẫn: "
                  "{command} --help."),
    # (the command line stopped by the user: Ctrl-C, or the end of input at a prompt; exit status 1)
    "CDHT-W068": (WARNING, "Lệnh '{command}' đã dừng trước khi chạy xong (đã bấm Ctrl-C, hoặc đầu vào đã hết).",
                  "Đừng dùng kết quả của lần chạy bị dừng: chạy lại đúng lệnh đó và chờ đến khi lệnh chạy xong."),
    # (issue 18: writes that keep what was there)
    "CDHT-W050": (ERROR, "Tệp đang đặt chế độ chỉ đọc; phần mềm không ghi đè tệp chỉ đọc.",
                  "Nếu đúng là cần cập nhật tệp này, bỏ chế độ chỉ đọc (Windows: chuột phải vào tệp > Properties > "
                  "bỏ chọn Read-only) rồi chạy lại; nếu không, chép ra một tệp mới và chạy trên tệp đó."),
    "CDHT-W052": (ERROR, "Không ghi tệp này: đường dẫn đi ra ngoài thư mục '{folder}' (tới '{target}').",
                  "Xóa liên kết (shortcut/symlink) mang tên tệp này trong thư mục, hoặc chọn một thư mục khác để ghi."),
    # (issue 18, hostile content: names, typed values, hidden year)
    "CDHT-W060": (ERROR, "Tên vùng (defined name) '{name}' được định nghĩa {count} lần ({refs}); Excel hoặc LibreOffice "
                  "có thể tính theo một vùng khác với vùng phần mềm đọc.",
                  "Dùng bản biểu mẫu gốc do Sở phát hành; không thêm hay sửa tên vùng (Công thức > Trình quản lý tên)."),
    "CDHT-W061": (ERROR, "Trang này có bản riêng của tên vùng '{name}' trỏ tới {ref}, khác với tên vùng của biểu mẫu "
                  "({expected}); công thức trên trang này tính theo vùng khác với vùng phần mềm đọc.",
                  "Dùng bản biểu mẫu gốc do Sở phát hành; không thêm tên vùng riêng cho trang (Công thức > Trình quản "
                  "lý tên, phạm vi trang tính)."),
    "CDHT-W062": (ERROR, "Ô '{label}' chứa công thức ={formula} (giá trị lưu sẵn '{value}'); ô nhập chỉ nhận giá trị gõ "
                  "vào, nên phần mềm không dùng giá trị này (Excel/LibreOffice có thể tính lại ra số khác).",
                  "Xóa công thức và gõ trực tiếp số liệu vào ô."),
    "CDHT-W063": (ERROR, "Năm đánh giá {year} trong thông tin ẩn (_meta) của biểu mẫu không hợp lệ (bộ tiêu chí "
                  "'{edition}' áp dụng cho {years}); biểu mẫu không được đọc.",
                  "Dùng biểu mẫu do Sở phát hành cho năm đánh giá; không sửa trang ẩn _meta."),
    # (issue 18: the dossier command's output folder)
    "CDHT-W066": (ERROR, "Không ghi được thư mục hồ sơ '{folder}' ({reason}); chưa có văn bản nào được tạo.",
                  "Chọn --out là một thư mục có quyền ghi (ví dụ trong thư mục Tài liệu), đóng các tệp Word của "
                  "hồ sơ cũ đang mở, rồi chạy lại lệnh."),
    # (issue 18: a refused merge leaves nothing — no return workbook for a parent not written)
    "CDHT-W067": (WARNING, "Chưa ghi {count} sổ tính trả lại vào thư mục '{folder}' vì sổ tổng hợp không được ghi "
                           "ở lần tổng hợp này (xem lỗi ở trên); lần chạy này không thay đổi gì.",
                  "Sửa lỗi khiến sổ tổng hợp không được ghi rồi chạy lại lệnh tổng hợp với --return-dir: các sổ "
                  "tính trả lại được ghi cùng lần tổng hợp đó."),
    # --- evidence (minh chứng) -----------------------------------------------------------------
    "CDHT-E001": (ERROR, "Chỉ tiêu {indicator} đạt nhưng chưa có dòng minh chứng nào ghi mã này (Số minh chứng = 0): "
                         "mức độ không đổi, nhưng chưa nộp hồ sơ được.",
                  "Ở trang 'Minh chứng', dòng {free_row} (dòng trống đầu tiên), chọn '{indicator}' ở cột Chỉ tiêu "
                  "và ghi tên, số/ký hiệu, ngày ban hành của văn bản chứng minh; hoặc thêm '{indicator}' vào cột "
                  "Chỉ tiêu của một dòng có sẵn (nhiều mã cách nhau bằng dấu phẩy)."),
    "CDHT-E002": (ERROR, "Cột Chỉ tiêu ghi '{value}': không phải mã chỉ tiêu nào của bộ tiêu chí.",
                  "Chọn mã trong danh sách của cột Chỉ tiêu, ví dụ '{example}'; nhiều mã cách nhau bằng "
                  "dấu phẩy. Các mã của cấp này: {known}."),
    "CDHT-E003": (ERROR, "Thiếu {column}.",
                  "Điền {column} của văn bản minh chứng."),
    "CDHT-E004": (ERROR, "Ngày ban hành {value} sau hạn nộp hồ sơ {deadline}.",
                  "Minh chứng phải ban hành trước hạn nộp; kiểm tra lại ngày."),
    "CDHT-E005": (WARNING, "Ngày ban hành {value} quá cũ so với năm đánh giá {year}.",
                  "Kiểm tra lại ngày; minh chứng phải phản ánh kết quả của năm đánh giá."),
    "CDHT-E006": (WARNING, "Không tìm thấy tệp đính kèm '{value}' bên cạnh sổ tính.",
                  "Đặt tệp minh chứng vào cùng thư mục (hoặc thư mục con) với sổ tính và ghi đường dẫn tương đối."),
    "CDHT-E007": (ERROR, "Mã minh chứng '{value}' trùng với dòng {other_row}.",
                  "Đặt cho mỗi minh chứng một mã riêng."),
    "CDHT-E008": (ERROR, "Ngày ban hành '{value}' không phải ngày hợp lệ.",
                  "Nhập ngày dạng dd/mm/yyyy."),
    "CDHT-E009": (ERROR, "Thiếu mã chỉ tiêu mà minh chứng chứng minh.",
                  "Ghi mã chỉ tiêu ở cột Chỉ tiêu, ví dụ '{example}'."),
    "CDHT-E010": (WARNING, "Ô này có nội dung '{value}' nằm ngoài sổ minh chứng (các cột {columns}); "
                           "phần mềm không đọc ô này.",
                  "Chuyển nội dung vào cột Ghi chú của cùng dòng, rồi xóa ô này."),
    "CDHT-E011": (ERROR, "Chỉ tiêu {indicator} đạt nhưng chưa có dòng minh chứng nào ghi mã này (Số minh chứng = 0), "
                         "và trang 'Minh chứng' đã dùng hết {rows} dòng: mức độ không đổi, nhưng chưa nộp hồ sơ được.",
                  "Thêm '{indicator}' vào cột Chỉ tiêu của dòng văn bản chứng minh chỉ tiêu này (nhiều mã cách nhau "
                  "bằng dấu phẩy), hoặc gộp các văn bản trùng để có dòng trống."),
    # (issue 18: the "Tệp" of an evidence row, judged on its text, never on the checker's disk)
    "CDHT-E020": (WARNING, "Tệp đính kèm '{value}' là đường dẫn tuyệt đối trên một máy cụ thể, không phải tệp trong "
                           "thư mục hồ sơ; nơi nhận hồ sơ không mở được.",
                  "Đặt tệp vào thư mục hồ sơ (cùng thư mục hoặc thư mục con của sổ tính) và ghi đường dẫn tương "
                  "đối, ví dụ minh-chung/ke-hoach.pdf."),
    "CDHT-E021": (WARNING, "Tệp đính kèm '{value}' có '..', tức là nằm ngoài thư mục hồ sơ.",
                  "Chép tệp vào thư mục hồ sơ (cùng thư mục hoặc thư mục con của sổ tính) và ghi đường dẫn không "
                  "có '..', ví dụ minh-chung/ke-hoach.pdf."),
    "CDHT-E022": (WARNING, "Tên tệp đính kèm '{value}' có ký tự không dùng được trong tên tệp ({chars}).",
                  "Đổi tên tệp chỉ dùng chữ, số, dấu cách, '-' và '_', rồi ghi lại tên mới vào cột Tệp."),
    "CDHT-E023": (WARNING, "Tên tệp đính kèm '{value}' quá dài ({length} ký tự; tối đa {limit} ký tự cho cả đường "
                           "dẫn, {part_limit} byte cho mỗi tên).",
                  "Đổi tên tệp cho ngắn (ví dụ theo số ký hiệu văn bản), rồi ghi lại tên mới vào cột Tệp."),
    "CDHT-E024": (WARNING, "Cột Tệp ghi '{value}': đây là tên thư mục, không phải một tệp.",
                  "Ghi tên từng tệp minh chứng (kèm đuôi, ví dụ .pdf), mỗi dòng một tệp."),
    "CDHT-E025": (WARNING, "Tệp đính kèm '{value}' có đuôi '{suffix}', không phải tệp văn bản, hình ảnh, âm thanh, "
                           "video hay tệp nén.",
                  "Ghi đủ tên tệp kèm đuôi (.pdf, .docx, .jpg…); nếu là văn bản giấy, để trống cột Tệp."),
    # --- merge (tổng hợp) ----------------------------------------------------------------------
    "CDHT-M001": (ERROR, "Biểu mẫu là cấp '{found}', không phải cấp dưới '{expected}' của sổ tổng hợp.",
                  "Chỉ gộp biểu mẫu cấp {expected} vào sổ tổng hợp cấp {parent}."),
    "CDHT-M002": (ERROR, "Biểu mẫu là năm {found}, sổ tổng hợp là năm {expected}.",
                  "Yêu cầu đơn vị nộp lại trên biểu mẫu năm {expected}."),
    "CDHT-M003": (ERROR, "Biểu mẫu thuộc bộ tiêu chí '{found}', sổ tổng hợp dùng '{expected}'.",
                  "Yêu cầu đơn vị nộp lại trên biểu mẫu của bộ tiêu chí {expected}."),
    "CDHT-M004": (ERROR, "Đơn vị '{unit}' không thuộc danh sách đơn vị cấp dưới của {parent}.",
                  "Kiểm tra mã đơn vị trong biểu mẫu hoặc danh sách đơn vị cấp dưới của sổ tổng hợp."),
    "CDHT-M005": (WARNING, "Đơn vị '{unit}' nộp nhiều tệp; dùng tệp mới hơn '{kept}'.",
                  "Xóa các tệp cũ khỏi thư mục nộp để tránh nhầm lẫn."),
    "CDHT-M006": (ERROR, "Đơn vị '{unit}' nộp nhiều tệp ({files}).",
                  "Giữ lại một tệp cho mỗi đơn vị, hoặc chạy với --on-duplicate newest."),
    "CDHT-M007": (ERROR, "Tệp của đơn vị '{unit}' cũ hơn bản đã tổng hợp ({merged_at}); không thay thế.",
                  "Nếu muốn dùng tệp này, xóa dòng của đơn vị ở trang Đơn vị cấp dưới hoặc nộp bản mới hơn."),
    "CDHT-M008": (ERROR, "Biểu mẫu đã bị sửa cấu trúc ({reason}, mã {cause}); trả lại đơn vị.",
                  "Yêu cầu đơn vị nhập lại số liệu vào biểu mẫu gốc và nộp lại."),
    "CDHT-M009": (ERROR, "Sổ tổng hợp không phải biểu mẫu cấp huyện hoặc cấp tỉnh hợp lệ (lý do ở thông báo {cause}).",
                  "Dùng biểu mẫu cấp huyện hoặc cấp tỉnh do cdht generate tạo."),
    "CDHT-M018": (ERROR, "Phiếu số liệu của sở/ngành chỉ nhập vào sổ tổng hợp cấp tỉnh; sổ này không phải sổ cấp tỉnh.",
                  "Mở sổ tổng hợp cấp tỉnh rồi gộp các phiếu số liệu vào đó."),
    "CDHT-M010": (INFO, "Bỏ qua tệp: không phải sổ tính Excel.",
                  "Không cần làm gì."),
    "CDHT-M011": (WARNING, "Đơn vị '{unit}' chưa nộp hồ sơ.",
                  "Liên hệ đơn vị để nộp trước hạn {deadline}."),
    "CDHT-M012": (WARNING, "Đơn vị '{unit}' nộp muộn ({received} sau hạn {deadline}).",
                  "Ghi nhận nộp muộn; xử lý theo quy định của Sở."),
    "CDHT-M013": (ERROR, "Quyết định trong Sổ công nhận thiếu mã đơn vị.",
                  "Ghi mã đơn vị (như trong danh sách đơn vị của Sở) ở cột Mã đơn vị của dòng này."),
    "CDHT-M016": (ERROR, "Mức độ công nhận '{value}' không phải 1 hoặc 2.",
                  "Ghi 1 hoặc 2 ở cột Mức độ của dòng này trong trang Sổ công nhận."),
    "CDHT-M017": (ERROR, "Ngày quyết định không dùng được ({reason}).",
                  "Ghi ngày quyết định dạng dd/mm/yyyy ở dòng này trong trang Sổ công nhận."),
    "CDHT-M014": (ERROR, "Biểu mẫu chưa đủ dữ liệu để xác định mức độ (thiếu: {missing}).",
                  "Đơn vị bổ sung các ô còn thiếu rồi nộp lại."),
    "CDHT-M015": (ERROR, "Đơn vị '{unit}' có {count} lỗi minh chứng.",
                  "Đơn vị bổ sung minh chứng theo danh sách trả lại."),
    # (issue 12: the recognition chain)
    "CDHT-M019": (ERROR, "Sổ tổng hợp của '{unit}' không có danh sách đơn vị cấp dưới chính thức năm {year}; "
                         "không tính các ô {names} (không đoán mẫu số của quy tắc 90 %).",
                  "Chạy lại với --profile <hồ sơ cấu hình tỉnh>.yaml (hoặc --units <danh sách>.csv), hoặc dùng "
                  "sổ tổng hợp do Sở phát hành cho đơn vị (có danh sách đơn vị cấp dưới đã khóa)."),
    "CDHT-M020": (WARNING, "Ô '{name}' ghi {typed}, nhưng danh sách đơn vị ({source}) có {expected} đơn vị cấp "
                           "dưới năm {year}; phần mềm dùng {expected}.",
                  "Không nhập tay ô này: tổng số đơn vị lấy từ danh sách đơn vị của Sở."),
    "CDHT-M021": (INFO, "Tệp là bản sao giống hệt (cùng SHA-256 {sha}) hồ sơ đã nhận của đơn vị '{unit}' "
                        "(tệp '{kept}'); không phải trả lại.",
                  "Không cần làm gì; có thể xóa bản sao khỏi thư mục nộp."),
    "CDHT-M022": (ERROR, "Nội dung bất thường của tệp làm bước {step} dừng lại; tệp này bị trả lại, các tệp khác "
                  "vẫn được tổng hợp.",
                  "Mở tệp bằng Excel, kiểm tra số liệu, rồi nhập lại vào biểu mẫu gốc do Sở phát hành và nộp "
                  "lại; chi tiết kỹ thuật ở tệp nhật ký cdht.log."),
    # (issue 18: files and folders of the merge)
    "CDHT-M023": (ERROR, "Không đọc được sổ năm trước ({reason}); chưa tổng hợp gì.",
                  "Kiểm tra đường dẫn --register-from: chọn sổ tổng hợp .xlsx của năm trước, hoặc bỏ tùy chọn này."),
    "CDHT-M024": (ERROR, "Sổ năm trước không phải sổ tính Excel .xlsx đọc được (lý do ở thông báo {cause}); chưa "
                         "tổng hợp gì.",
                  "Chọn sổ tổng hợp .xlsx của năm trước (tệp do cdht merge ghi), hoặc bỏ tùy chọn --register-from."),
    "CDHT-M025": (ERROR, "Tên tệp có ký tự điều khiển hoặc ký tự không đọc được ({chars}); không đọc tệp này, các "
                         "tệp khác vẫn được tổng hợp.",
                  "Đổi tên tệp (chỉ dùng chữ, số, dấu cách, '-' và '_') rồi tổng hợp lại."),
    "CDHT-M026": (WARNING, "Không mở được thư mục con hoặc liên kết '{folder}' ({reason}); các tệp trong đó chưa được "
                           "tổng hợp.",
                  "Kiểm tra quyền truy cập thư mục con, hoặc xóa / sửa liên kết hỏng, rồi tổng hợp lại."),
    # (issue 18, hostile content)
    "CDHT-M040": (ERROR, "Ngày quyết định {value} không dùng được: sau năm {limit}, không thể là ngày của một quyết định.",
                  "Sửa ngày quyết định (dạng dd/mm/yyyy) ở dòng này trong trang Sổ công nhận."),
    "CDHT-M041": (ERROR, "Sổ tổng hợp thiếu trang '{tool_sheet}' (tên vùng '{name}') mà phần mềm ghi kết quả tổng hợp vào; "
                         "không ghi gì.",
                  "Dùng bản sổ tổng hợp gốc do Sở phát hành (hoặc bản sao lưu .bak gần nhất); không xóa hay đổi tên "
                  "trang '{tool_sheet}'."),
    # (issue 18: nothing is lost — what a merge writes must fit where the next reading looks)
    "CDHT-M044": (ERROR, "Cần ghi {rows} dòng quyết định (kể cả dòng còn lỗi, được giữ nguyên) vào sổ công nhận "
                         "nhưng vùng '{name}' của sổ chỉ có {size} dòng (dòng {first}–{last}); các dòng thừa sẽ nằm "
                         "ngoài vùng và các lần đọc sau không thấy. Chưa ghi gì vào sổ tổng hợp.",
                  "Đề nghị Sở GD&ĐT phát hành sổ tổng hợp có sổ công nhận đủ dòng (cdht generate --units với danh "
                  "sách đầy đủ đơn vị cấp dưới; mỗi đơn vị được 3 dòng), chuyển số liệu sang sổ mới bằng cdht "
                  "migrate rồi tổng hợp lại; hoặc xóa khỏi sổ công nhận (và sổ năm trước ở --register-from) các "
                  "quyết định đã hết hiệu lực không còn cần, sửa hoặc xóa các dòng còn lỗi."),
    "CDHT-M047": (ERROR, "Sổ công nhận có {rows} quyết định nhưng vùng '{name}' của sổ năm {year} chỉ có "
                         "{size} dòng: chuyển sang sẽ mất {lost} quyết định. Chưa ghi sổ năm {year}; sổ cũ không "
                         "bị sửa.",
                  "Đề nghị Sở GD&ĐT cập nhật danh sách đơn vị cấp dưới năm {year} trong hồ sơ cấu hình tỉnh (mỗi "
                  "đơn vị được 3 dòng sổ công nhận) rồi chạy lại; hoặc trên một bản sao của sổ cũ, xóa các quyết "
                  "định đã hết hiệu lực không còn cần rồi chuyển bản sao đó."),
    "CDHT-M045": (ERROR, "Danh sách đơn vị cấp dưới trong thông tin ẩn (_meta) của sổ tổng hợp không đọc được "
                         "({value}): phải là danh sách mã đơn vị. Không dùng danh sách này, nên không tính các chỉ "
                         "tiêu từ số đơn vị cấp dưới.",
                  "Dùng sổ tổng hợp do Sở phát hành (hoặc bản sao lưu .bak gần nhất); không sửa trang ẩn _meta."),
    "CDHT-M046": (ERROR, "Nhật ký tổng hợp đã dùng tới dòng {used}; thêm {rows} dòng của lần tổng hợp này sẽ vượt "
                         "{limit} dòng, số dòng tối đa của một trang Excel. Chưa ghi gì vào sổ tổng hợp.",
                  "Chép các dòng nhật ký cũ (giữ lại các dòng 'Nhận hồ sơ') sang một sổ tính khác để lưu, xóa "
                  "chúng khỏi trang nhật ký, lưu sổ rồi tổng hợp lại."),
    # --- add-in ----------------------------------------------------------------------------------
    "CDHT-A001": (ERROR, "Lỗi không mong muốn khi chạy '{operation}' ({error}).",
                  "Xem chi tiết trong tệp nhật ký {log}; gửi tệp này cho bộ phận hỗ trợ."),
    "CDHT-A002": (ERROR, "Sổ tính đang mở không phải biểu mẫu Cộng đồng học tập.",
                  "Mở biểu mẫu do Sở GD&ĐT phát hành rồi bấm lại nút."),
    "CDHT-A003": (ERROR, "Chức năng này cần sổ tổng hợp cấp huyện hoặc cấp tỉnh.",
                  "Mở sổ tổng hợp cấp trên rồi bấm lại nút."),
    "CDHT-A004": (ERROR, "Không tìm thấy thư mục '{folder}'.",
                  "Chọn lại thư mục chứa các biểu mẫu của đơn vị cấp dưới."),
    "CDHT-A005": (ERROR, "Sổ tính đang mở chưa được lưu thành tệp trên máy.",
                  "Lưu sổ tính (Ctrl+S) thành tệp .xlsx rồi bấm lại nút."),
    "CDHT-A006": (ERROR, "Thiếu gói Python '{package}' cần để dựng add-in (cài đặt lõi không kèm add-in).",
                  "Cài thêm phần dựng add-in: pip install \"cdht[addin-build]\" rồi chạy lại lệnh."),
    "CDHT-A007": (WARNING, "Không tô màu được {count} ô có vấn đề: trang tính được bảo vệ và không mở được bảo "
                           "vệ bằng mật khẩu của biểu mẫu (hoặc môi trường Excel này không cho phép).",
                  "Xem đủ danh sách ô ở trang 'Kết quả kiểm tra'. Nếu Sở đặt mật khẩu riêng cho biểu mẫu, "
                  "đặt mật khẩu đó vào biến môi trường CDHT_PASSWORD rồi bấm lại."),
    "CDHT-A008": (ERROR, "Sổ tính này không có trang bản tổng hợp để xuất (phiếu của sở/ngành không có trang này).",
                  "Mở biểu mẫu tự đánh giá hoặc sổ tổng hợp của đơn vị rồi bấm lại nút."),
    "CDHT-A009": (ERROR, "Sổ tính đang mở có {count} ô chưa lưu khác với tệp đã lưu ở trang này; chức năng gộp "
                         "tính theo tệp đã lưu nên sẽ ghi đè các ô đó. Chưa có gì bị ghi.",
                  "Lưu sổ tính (Ctrl+S) rồi bấm lại nút Gộp báo cáo cấp dưới."),
    "CDHT-A010": (ERROR, "Lệnh cài / gỡ add-in Excel chỉ chạy trên Windows (máy này không phải Windows).",
                  "Chạy lệnh trên máy Windows có Excel, hoặc chỉ rõ thư mục hồ sơ người dùng Windows bằng "
                  "--profile-dir."),
    "CDHT-A011": (ERROR, "Đường dẫn Python không ghi được vào tệp thiết lập của add-in theo bảng mã {codepage} "
                         "(VBA của xlwings đọc tệp này theo bảng mã ANSI của Windows, không theo UTF-8).",
                  "Cài Python vào thư mục trong hồ sơ người dùng hoặc thư mục tên không dấu (ví dụ C:\\Python311) "
                  "rồi chạy lại với --python <đường dẫn pythonw.exe>."),
    # (issue 17: the button "Chuyển sang mẫu năm sau")
    "CDHT-A035": (INFO, "Đã chuyển sang biểu mẫu năm {year}: {carried} ô và {evidence} dòng minh chứng; {empty} ô để "
                        "trống cần nhập số liệu năm {year}. Tệp mới nằm cạnh sổ đang mở: {target}. Sổ đang mở không "
                        "bị thay đổi.",
                  "Mở tệp mới, nhập các ô được liệt kê ở trang 'Kết quả kiểm tra' của tệp đó, rồi bấm Kiểm tra "
                  "minh chứng."),
    "CDHT-A012": (ERROR, "Không tải được gói từ kho gói {index} ({reason}).",
                  "Lệnh dựng gói cài đặt ngoại tuyến cần mạng tới kho gói: kiểm tra kết nối, proxy (biến "
                  "HTTPS_PROXY) hoặc chỉ kho nội bộ bằng --index-url, rồi chạy lại."),
    "CDHT-A013": (ERROR, "Không có wheel của '{package}' cho Python {python} trên {platform}, nên không gói được "
                         "bản cài đặt cho phiên bản này (pip: {reason}).",
                  "Bỏ phiên bản này: chỉ định các phiên bản còn lại bằng --python (ví dụ --python 3.12 "
                  "--python 3.13); máy đích cài một phiên bản Python có trong gói."),
    "CDHT-A014": (ERROR, "Python {python} không được cdht hỗ trợ (cdht cần Python {requires}).",
                  "Chọn --python trong các phiên bản {supported}."),
    "CDHT-A015": (ERROR, "Không dựng được tệp wheel của cdht ({reason}).",
                  "Cài cdht bằng pip với phần dựng add-in (pip install \"cdht[addin-build]\", hoặc từ thư mục "
                  "mã nguồn) rồi chạy lại."),
    "CDHT-A016": (ERROR, "Tệp '{path}' của bản cài đặt cdht khác với tệp pip đã cài (bản ghi RECORD); không đóng "
                         "gói một bản đã bị sửa.",
                  "Cài lại cdht (pip install --force-reinstall \"cdht[addin-build]\") rồi chạy lại."),
    "CDHT-A017": (ERROR, "Thư mục '{folder}' đã có và không phải gói cài đặt do lệnh này tạo; không ghi đè.",
                  "Chọn thư mục khác cho --out, hoặc tự xóa hay đổi tên thư mục đó."),
    "CDHT-A018": (ERROR, "Không tìm thấy Python {versions} bản Windows 64-bit trên máy này.",
                  "Cài một phiên bản Python đó (64-bit) từ python.org, chọn Install for current user, rồi bấm "
                  "đúp lại cai-dat.cmd."),
    "CDHT-A019": (ERROR, "Cài gói Python từ thư mục wheels không thành công (lỗi của pip ở trên; việc cài không "
                         "dùng mạng).",
                  "Giải nén lại toàn bộ tệp .zip (đủ thư mục wheels) rồi bấm đúp lại cai-dat.cmd; nếu vẫn lỗi, "
                  "gửi nội dung cửa sổ này cho bộ phận hỗ trợ."),
    "CDHT-A020": (ERROR, "Địa chỉ --lite-url '{url}' không phải địa chỉ web http(s).",
                  "Ghi địa chỉ thư mục trên máy chủ web của Sở, ví dụ https://so-gddt.example.gov.vn/cdht."),
    # issue 15 (the dossier button): CDHT-A030..A034
    "CDHT-A030": (ERROR, "Chưa lập được hồ sơ từ sổ tính này ({count} lỗi); chưa có văn bản nào được tạo.",
                  "Sửa các lỗi liệt kê bên dưới (bấm 'Kiểm tra minh chứng' để xem đủ), lưu sổ tính (Ctrl+S) "
                  "rồi bấm lại nút Tạo hồ sơ."),
    "CDHT-A031": (WARNING, "Sổ tính có thay đổi chưa lưu; hồ sơ được lập theo tệp đã lưu, chưa có các thay đổi đó.",
                  "Lưu sổ tính (Ctrl+S) rồi bấm lại nút Tạo hồ sơ để lập lại hồ sơ."),
    "CDHT-A032": (ERROR, "Không ghi được thư mục hồ sơ '{folder}' ({reason}).",
                  "Lưu sổ tính vào một thư mục có quyền ghi (ví dụ Tài liệu) rồi bấm lại nút Tạo hồ sơ; "
                  "đóng các tệp Word của hồ sơ cũ đang mở."),
    # --- contributing departments ----------------------------------------------------------
    "CDHT-K001": (ERROR, "Sở/ngành '{contributor}' không có trong bộ tiêu chí.",
                  "Dùng một mã trong danh sách đơn vị đóng góp của bộ tiêu chí: {known}."),
    "CDHT-K002": (WARNING, "Xung đột ở {field}: sổ tổng hợp ghi {workbook_value}, phiếu của {contributor} ghi {file_value}; đã chọn {chosen}.",
                  "Kiểm tra lại với {contributor}; chạy lại với --prefer file hoặc --prefer workbook."),
    "CDHT-K003": (WARNING, "Chưa nhận phiếu của {contributor}.",
                  "Liên hệ {contributor} để gửi phiếu số liệu."),
    # --- province profile (hồ sơ cấu hình tỉnh), recognition register, signatures --------------
    "CDHT-P001": (ERROR, "Không đọc được tệp hồ sơ cấu hình tỉnh '{path}' ({reason}).",
                  "Kiểm tra đường dẫn tệp và quyền đọc."),
    "CDHT-P002": (ERROR, "Khóa '{key}' không thuộc cấu trúc hồ sơ cấu hình tỉnh.",
                  "Xóa khóa này hoặc sửa chính tả theo hồ sơ mẫu trong cdht/catalogue/profiles/."),
    "CDHT-P003": (ERROR, "Mã đơn vị '{unit}' bị trùng (đã dùng ở dòng {other_line}).",
                  "Mỗi đơn vị một mã duy nhất; đơn vị sau sáp nhập dùng mã mới và ghi mã cũ ở 'predecessors'."),
    "CDHT-P004": (ERROR, "Cấp '{tier}' của {what} không có {when}.",
                  "Dùng một cấp có trong năm đó ({tiers}); đơn vị thuộc cấp đã bỏ cần 'last_year'."),
    "CDHT-P005": (ERROR, "Đơn vị '{unit}': cấp trên '{parent}' không phải một đơn vị {expected} có {when}.",
                  "Sửa 'parent' thành mã một đơn vị {expected} có {when}, hoặc sửa 'first_year'/'last_year'."),
    "CDHT-P006": (ERROR, "Quan hệ cấp trên có vòng lặp: {chain}.",
                  "Sửa 'parent' để mỗi chuỗi cấp trên dừng ở một đơn vị cấp cao nhất (không có cấp trên)."),
    "CDHT-P007": (ERROR, "Hạn '{key}' = '{value}' không phải ngày có thật.",
                  "Ghi hạn dạng \"MM-DD\" (tháng-ngày, trong dấu nháy), ví dụ \"02-28\"."),
    "CDHT-P008": (ERROR, "Đơn vị '{unit}': mã đơn vị tiền thân '{predecessor}' không có trong danh sách đơn vị.",
                  "Thêm đơn vị tiền thân (với 'last_year' là năm cuối cùng tồn tại) hoặc sửa mã."),
    "CDHT-P009": (ERROR, "Các giai đoạn ('periods') chồng lên nhau ở năm {year}.",
                  "Mỗi năm đánh giá chỉ thuộc một giai đoạn; sửa 'first_year'/'last_year' của giai đoạn."),
    "CDHT-P010": (ERROR, "Giai đoạn từ năm {first_year}: cấp '{tier}' có cấp trên '{parent}' không có trong giai đoạn.",
                  "Khai báo 'parent' là một cấp khác của cùng giai đoạn, hoặc null cho cấp cao nhất."),
    "CDHT-P011": (ERROR, "Khóa công khai ('public_key') '{value}' không phải khóa Ed25519 dạng ed25519:<base64>.",
                  "Dán nguyên dòng do 'cdht profile keygen' in ra, hoặc xóa khóa này."),
    "CDHT-P012": (ERROR, "Cách hiểu '{key}' = '{value}' không được hỗ trợ.",
                  "Chọn một trong: {allowed}."),
    "CDHT-P013": (WARNING, "Hồ sơ cấu hình '{profile}' là DỮ LIỆU MẪU, không phải danh sách chính thức của tỉnh.",
                  "Sao chép hồ sơ mẫu, thay bằng danh sách đơn vị và quy trình của tỉnh, rồi đặt 'sample: false'."),
    "CDHT-P014": (ERROR, "Quyết định công nhận cho đơn vị '{unit}', không có trong danh sách đơn vị của tỉnh năm {year}.",
                  "Sửa mã đơn vị theo hồ sơ cấu hình tỉnh, hoặc bổ sung đơn vị vào hồ sơ cấu hình."),
    "CDHT-P015": (WARNING, "Đơn vị '{unit}' được công nhận mức độ 2 ngày {date} khi chưa đủ {months} tháng kể từ "
                           "quyết định mức độ 1 ngày {level1_date} (sớm nhất từ {allowed_from}).",
                  "Kiểm tra lại ngày quyết định; đơn vị mức độ 1 chỉ đề nghị mức độ 2 sau ít nhất {months} tháng."),
    "CDHT-P016": (WARNING, "Quyết định {number} công nhận '{unit}' ngày {date} sau hạn ra quyết định {deadline} "
                           "của năm đánh giá {year}; không tính cho năm {year}.",
                  "Kiểm tra ngày quyết định; nếu quyết định thuộc năm đánh giá khác, ghi đúng năm được công nhận."),
    "CDHT-P017": (ERROR, "Tệp khóa '{path}' đã tồn tại; không ghi đè.",
                  "Chọn thư mục khác (--out) hoặc tự xóa tệp cũ nếu chắc chắn không còn dùng."),
    "CDHT-P018": (ERROR, "Tệp '{path}' không phải khóa {kind} Ed25519 đọc được.",
                  "Dùng tệp khóa do 'cdht profile keygen' tạo; khóa bí mật chỉ giữ ở máy của Sở."),
    "CDHT-P019": (ERROR, "Chữ ký số không khớp với khóa công khai của hồ sơ cấu hình '{profile}'.",
                  "Dùng biểu mẫu do Sở phát hành (cdht generate với khóa của Sở); không sửa thông tin đơn vị."),
    "CDHT-P020": (ERROR, "Hồ sơ cấu hình không đúng cú pháp YAML: {problem}.",
                  "Sửa cú pháp: thụt lề bằng dấu cách, dấu ':' sau tên khóa, chuỗi có ':' đặt trong dấu nháy."),
    "CDHT-P021": (ERROR, "Thiếu khóa bắt buộc '{key}'.",
                  "Thêm khóa '{key}' vào đúng vị trí (xem hồ sơ mẫu trong cdht/catalogue/profiles/)."),
    "CDHT-P022": (ERROR, "Giá trị của '{key}' phải là {expected}, đang là '{value}'.",
                  "Sửa giá trị cho đúng kiểu."),
    "CDHT-P023": (ERROR, "'{what}': năm đầu {first_year} sau năm cuối {last_year}.",
                  "Sửa 'first_year'/'last_year' để năm đầu không sau năm cuối."),
    "CDHT-P024": (ERROR, "Giai đoạn từ năm {first_year} có {count} cấp cao nhất ({tiers}); cần đúng một.",
                  "Đặt 'parent: null' cho đúng một cấp (cấp tỉnh), các cấp khác ghi cấp trên của mình."),
    "CDHT-P025": (ERROR, "Đơn vị '{unit}' thuộc cấp cao nhất ({when}) nên không có cấp trên (đang ghi '{parent}').",
                  "Xóa 'parent' của đơn vị này."),
    "CDHT-P026": (ERROR, "Hồ sơ cấu hình '{profile}' không có cấp '{tier}' trong năm đánh giá {year} (các cấp năm đó: {tiers}).",
                  "Chọn một cấp có trong năm {year}. Từ 01/07/2025 không còn cấp huyện: dùng hồ sơ và bộ tiêu chí "
                  "hai cấp (--edition cdht/catalogue/tt25-2023-hai-cap.yaml)."),
    "CDHT-P027": (ERROR, "Hồ sơ cấu hình '{profile}' năm {year} xếp cấp '{tier}' dưới cấp '{profile_parent}', còn bộ tiêu "
                         "chí {edition} xếp dưới cấp '{edition_parent}'.",
                  "Dùng bộ tiêu chí có cùng phân cấp với hồ sơ năm {year} (mô hình hai cấp: "
                  "--edition cdht/catalogue/tt25-2023-hai-cap.yaml), hoặc sửa 'periods' của hồ sơ."),
    "CDHT-P028": (ERROR, "Khóa bí mật '{path}' không phải cặp của khóa công khai trong hồ sơ cấu hình '{profile}'.",
                  "Dùng đúng khóa bí mật của Sở, hoặc dán vào hồ sơ dòng khóa công khai của khóa này "
                  "(do 'cdht profile keygen' in ra)."),
    "CDHT-P029": (ERROR, "Sổ tính không có chữ ký số của Sở, trong khi hồ sơ cấu hình '{profile}' có khóa công khai.",
                  "Dùng biểu mẫu do Sở phát hành và ký cho đơn vị này (cdht generate --signing-key), không dùng "
                  "mẫu trống hay biểu mẫu tự tạo."),
    "CDHT-P030": (ERROR, "'{fact}' của đơn vị '{unit}' trong sổ tính là '{found}', danh sách đơn vị của hồ sơ cấu "
                         "hình '{profile}' năm {year} ghi '{expected}'.",
                  "Dùng biểu mẫu do Sở phát hành cho đơn vị này năm {year}; nếu danh sách của Sở sai, đề nghị Sở "
                  "sửa hồ sơ cấu hình và phát hành lại biểu mẫu."),
    "CDHT-P031": (ERROR, "Đơn vị '{unit}' ({tier}) không có trong danh sách đơn vị của hồ sơ cấu hình '{profile}' năm {year}.",
                  "Kiểm tra mã đơn vị và năm đánh giá; dùng biểu mẫu do Sở phát hành cho năm {year}."),
    "CDHT-P032": (ERROR, "Ô '{label}' ghi '{found}', nhưng biểu mẫu được phát hành với '{issued}'; phần mềm dùng giá "
                         "trị được phát hành.",
                  "Không sửa ô đã khóa hay thông tin ẩn của biểu mẫu; dùng lại biểu mẫu do Sở phát hành "
                  "(giá trị theo danh sách đơn vị của Sở)."),
    "CDHT-P033": (ERROR, "'signing_key' trong hồ sơ cấu hình chứa nội dung khóa bí mật thay vì đường dẫn tệp.",
                  "Xóa nội dung khóa khỏi hồ sơ (hồ sơ được gửi cho các đơn vị; khóa bí mật chỉ giữ ở máy của "
                  "Sở), ghi đường dẫn tới tệp khóa hoặc dùng --signing-key; nên tạo cặp khóa mới."),
    # --- reports (báo cáo) ------------------------------------------------------------------------
    "CDHT-R001": (ERROR, "Báo cáo cần sổ tổng hợp cấp trên (cấp huyện hoặc cấp tỉnh); tệp này là biểu mẫu {tier_name}.",
                  "Chọn sổ tổng hợp của Phòng GD&ĐT (cấp huyện) hoặc của Sở GD&ĐT (cấp tỉnh) đã chạy cdht merge."),
    "CDHT-R002": (WARNING, "Sổ tổng hợp của '{unit}' năm {year} chưa được tổng hợp lần nào: chưa có số liệu của "
                           "{expected} đơn vị cấp dưới; báo cáo ghi 'chưa tổng hợp' thay cho số 0.",
                  "Gộp sổ tính của các đơn vị cấp dưới (cdht merge hoặc nút Gộp báo cáo cấp dưới) rồi lập lại báo cáo."),
    "CDHT-R003": (ERROR, "Sổ năm trước là của đơn vị '{found}', không phải của '{expected}'.",
                  "Chọn sổ tổng hợp các năm trước của chính đơn vị '{expected}'."),
    "CDHT-R004": (ERROR, "Sổ năm trước là sổ {found}, sổ báo cáo là sổ {expected}.",
                  "Chọn sổ tổng hợp năm trước cùng cấp ({expected})."),
    "CDHT-R005": (ERROR, "Sổ năm trước có năm đánh giá {found}, không trước năm báo cáo {expected}.",
                  "Chọn sổ tổng hợp của một năm trước năm {expected}."),
    "CDHT-R006": (ERROR, "Hai sổ năm trước cùng năm đánh giá {year}.",
                  "Chỉ chọn một sổ tổng hợp cho mỗi năm (--previous)."),
    "CDHT-R007": (ERROR, "Xuất dạng Parquet cần gói Python '{package}', chưa được cài.",
                  "Cài thêm phần báo cáo: pip install \"cdht[{extra}]\", hoặc xuất dạng CSV (--format csv)."),
    "CDHT-R008": (WARNING, "Sổ của đơn vị '{unit}' không phải bản đã tổng hợp vào sổ cấp trên (SHA-256 {found}, "
                           "sổ cấp trên ghi {expected}); không lấy các đơn vị cấp dưới của '{unit}' từ tệp này.",
                  "Chọn đúng tệp đơn vị '{unit}' đã nộp (thư mục nộp), hoặc tổng hợp lại sổ cấp trên với tệp này."),
    "CDHT-R009": (WARNING, "Đơn vị '{unit}' không có trong số đơn vị đã nộp của sổ tổng hợp '{parent}' "
                           "(hoặc đã được chọn một lần); bỏ qua tệp này.",
                  "Chỉ chọn (--children) sổ tổng hợp của các đơn vị cấp dưới mà '{parent}' đã nhận, mỗi đơn vị một tệp."),
    # year rollover: cdht generate --year N+1 --from MERGED_N.xlsx (issue 16)
    "CDHT-R010": (ERROR, "Sổ năm trước (--from) phải là sổ tổng hợp cấp huyện hoặc cấp tỉnh; tệp này là {what}.",
                  "Chọn sổ tổng hợp năm {year} của Phòng GD&ĐT hoặc của Sở (đã chạy cdht merge), không chọn biểu mẫu "
                  "cấp xã hay tệp khác."),
    "CDHT-R011": (ERROR, "Sổ tổng hợp của '{unit}' năm {year} chưa được tổng hợp lần nào: không có gì để chuyển sang "
                         "năm {next_year}.",
                  "Chọn đúng sổ đã gộp báo cáo cấp dưới, hoặc gộp (cdht merge) trước rồi phát hành lại."),
    "CDHT-R012": (ERROR, "Sổ của '{unit}' là năm đánh giá {found}; biểu mẫu năm {year} lấy số liệu năm trước từ sổ "
                         "tổng hợp năm {expected}.",
                  "Chọn sổ tổng hợp năm {expected} của đơn vị, hoặc sửa --year."),
    "CDHT-R013": (ERROR, "Sổ của '{unit}' là sổ {found}, còn biểu mẫu phát hành là {expected}.",
                  "Chọn sổ tổng hợp {expected} năm trước, hoặc phát hành đúng cấp của sổ (--tier {found_code})."),
    "CDHT-R014": (ERROR, "Sổ của '{unit}' không thuộc {source}: {reason}.",
                  "Chọn sổ tổng hợp năm trước của chính tỉnh này, và phát hành với đúng hồ sơ cấu hình (--profile) "
                  "hoặc danh sách đơn vị (--units) của tỉnh."),
    "CDHT-R015": (ERROR, "Hai sổ năm trước cho cùng đơn vị '{unit}' (tệp kia: {other}).",
                  "Chỉ chọn một sổ tổng hợp năm trước cho mỗi đơn vị."),
    "CDHT-R016": (WARNING, "Đơn vị '{unit}' không còn trong danh sách đơn vị năm {year}: không biểu mẫu nào nhận số "
                           "liệu năm trước của sổ này.",
                  "Nếu đơn vị được hợp nhất, nhập số liệu năm trước vào biểu mẫu của đơn vị mới; nếu danh sách sai, "
                  "sửa hồ sơ cấu hình rồi phát hành lại."),
    # --- dossier (hồ sơ) ---------------------------------------------------------------------
    "CDHT-D001": (ERROR, "Sổ tính chưa đủ số liệu để lập hồ sơ; còn thiếu: {missing}.",
                  "Nhập đủ các ô còn thiếu rồi chạy lại; chưa có văn bản nào được tạo."),
    "CDHT-D002": (ERROR, "Sổ tính có {count} lỗi nên chưa lập hồ sơ (các lỗi được liệt kê kèm theo).",
                  "Sửa các lỗi đó (xem 'cdht check') rồi chạy lại; chưa có văn bản nào được tạo."),
    "CDHT-D003": (ERROR, "Mẫu văn bản dùng biến '{name}' không có trong số liệu được cung cấp.",
                  "Mở mẫu trong Word và sửa chính tả tên biến; các biến dùng được: {known}."),
    "CDHT-D004": (ERROR, "Mẫu văn bản không đọc được hoặc sai cú pháp mẫu: {problem}.",
                  "Mở mẫu trong Word, kiểm tra các cặp ngoặc nhọn và các lệnh for/if (mỗi lệnh có "
                  "endfor/endif tương ứng), lưu lại dạng .docx; hoặc dùng mẫu mặc định (cdht dossier --outlines)."),
    "CDHT-D005": (ERROR, "Thẩm định chưa hoàn tất: chưa có {missing}.",
                  "Nhập kết luận 'Đạt'/'Không đạt' của Hội đồng cho mọi chỉ tiêu và mức độ xét trên trang "
                  "'Thẩm định', hoặc để trống cả trang để chỉ lập hồ sơ tự đánh giá."),
    "CDHT-D006": (ERROR, "Hội đồng kết luận 'Không đạt' ở chỉ tiêu {indicators} nhưng chưa ghi lý do.",
                  "Ghi lý do không đạt cạnh kết luận trên trang 'Thẩm định': đơn vị không đạt phải được "
                  "thông báo rõ lý do."),
    "CDHT-D007": (INFO, "Đơn vị chưa đạt mức độ 1 theo kết quả tự đánh giá: không lập tờ trình đề nghị công nhận.",
                  "Báo cáo tự đánh giá và bản tổng hợp vẫn được lập; tờ trình chỉ lập khi đơn vị đạt "
                  "mức độ 1 trở lên."),
    "CDHT-D008": (INFO, "Chưa có đơn vị cấp dưới nào được Hội đồng thẩm định đạt mức độ 1 trở lên: "
                        "không lập dự thảo quyết định công nhận.",
                  "Tổng hợp (cdht merge) các sổ tính đã có kết quả thẩm định rồi chạy lại."),
    "CDHT-D009": (ERROR, "Không đọc được hồ sơ cấu hình tỉnh nên chưa lập hồ sơ (các lỗi được liệt kê kèm theo).",
                  "Sửa hồ sơ cấu hình (xem 'cdht profile check') hoặc chạy không kèm --profile."),
    # issue 15: evidence per level (cột "Mức độ" của danh mục minh chứng), the dossier of a form
    "CDHT-D010": (WARNING, "Cột Mức độ ghi '{value}': chỉ ghi 1, 2 hoặc để trống (minh chứng cho cả hai mức độ); "
                           "dòng này được coi là minh chứng cho cả hai mức độ.",
                  "Chọn 1 hoặc 2 trong danh sách của ô, hoặc xóa nội dung ô nếu văn bản chứng minh cả hai mức độ."),
    "CDHT-D011": (INFO, "Dòng minh chứng ghi mức độ {level} nhưng chỉ tiêu {indicators} có cùng yêu cầu ở hai mức "
                        "độ; mức độ ghi ở dòng này không được dùng.",
                  "Để trống cột Mức độ với chỉ tiêu có cùng yêu cầu ở hai mức độ; chỉ ghi mức độ cho các chỉ tiêu "
                  "{differing}."),
    "CDHT-D012": (WARNING, "Chỉ tiêu {indicator} được tự đánh giá đạt mức độ 2 (yêu cầu cao hơn mức độ 1) nhưng mọi "
                           "minh chứng của chỉ tiêu này đều ghi mức độ 1 (dòng {rows}).",
                  "Thêm văn bản chứng minh yêu cầu mức độ 2 ({requirement}) vào danh mục minh chứng, ghi Mức độ "
                  "là 2 (hoặc để trống nếu văn bản chứng minh cả hai mức độ)."),
    "CDHT-D013": (ERROR, "Tệp này là phiếu số liệu của sở/ngành ({contributor}), không phải sổ tự đánh giá của "
                         "một đơn vị: không có hồ sơ để lập.",
                  "Lập hồ sơ từ sổ tự đánh giá hoặc sổ tổng hợp của đơn vị (phiếu sở/ngành được tổng hợp vào sổ "
                  "tỉnh bằng chức năng gộp)."),
}


_OS_REASONS = {
    errno.ENOENT: "tệp hoặc thư mục không tồn tại",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép thao tác",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "hết dung lượng đĩa",
    errno.EFBIG: "tệp vượt quá kích thước cho phép của ổ đĩa",
    errno.EDQUOT: "hết hạn mức dung lượng đĩa của người dùng",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EBUSY: "tệp đang bị chương trình khác dùng",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EEXIST: "tệp đã tồn tại",
    errno.ELOOP: "liên kết vòng lặp (liên kết trỏ lại chính nó)",
}


# What a command-line value must be (the ``expected`` fact of W034, W035, W038), per kind of value,
# and why a value given is refused (the ``reason`` of W035): closed vocabularies.
VALUE_KINDS = {
    "choice": "một trong: {choices}",
    "integer": "một số nguyên, ví dụ 2026",
    "number": "một số",
    "file": "đường dẫn một tệp",
    "folder": "đường dẫn một thư mục",
    "path": "đường dẫn một tệp hoặc thư mục",
    "text": "một giá trị",
}
VALUE_PROBLEMS = {
    "choice": "không có trong danh sách",
    "integer": "không phải số nguyên",
    "number": "không phải số",
    "is_file": "đây là tệp, không phải thư mục",
    "unreadable": "không đọc được",
    "other": "không đúng dạng",
}
CHOICE_LABELS = {"xa": "cấp xã", "huyen": "cấp huyện", "tinh": "cấp tỉnh"}  # beside a value to type, what it means
INTERNAL_ERROR = "lỗi bên trong phần mềm"  # A001's error: the technical name stays in the log, never shown
USAGE_PROBLEM = "cách ghi các tùy chọn và đối số không đúng"  # W037 when the library's own reason is not Vietnamese
OPTIONS_WORD = "[tùy chọn]"  # stands for the options in a usage line
COMMAND_WORD = "<lệnh> …"     # stands for a sub-command and its arguments in a usage line
# What stands for a value after an option on a help screen ("--year <số>"), per kind of value (the
# kinds of VALUE_KINDS; a choice shows its values, typed as they are: [xa|huyen|tinh]).
VALUE_METAVARS = {
    "integer": "<số>",
    "number": "<số>",
    "file": "<tệp>",
    "folder": "<thư mục>",
    "path": "<tệp hoặc thư mục>",
    "text": "<giá trị>",
}
# The command line's own words on its help screens (click's skeleton: headings, the help and
# version options, the notes after an option's help).
HELP_WORDS = {
    "usage": "Cách gọi:",
    "options": "Tùy chọn",
    "commands": "Lệnh",
    "help": "Xem hướng dẫn này rồi thoát.",
    "version": "Xem số phiên bản rồi thoát.",
    "default": "mặc định",
    "required": "bắt buộc",
    "envvar": "biến môi trường",
}


# The W002 reasons (a closed vocabulary) and the tamper causes told in M008.
NOT_A_ZIP = "không phải tệp nén Office Open XML"
BROKEN_ZIP = "tệp nén bị hỏng"
UNREADABLE_CONTENT = "nội dung sổ tính không đọc được"
UNREADABLE_CSV = "nội dung không đọc được theo định dạng CSV"  # T001's reason for a file the csv module refuses
TAMPER_REASONS = {
    "CDHT-W018": "trang tính bị bỏ bảo vệ",
    "CDHT-W019": "công thức hoặc ô khóa bị sửa",
    "CDHT-W020": "trang tính bị xóa hoặc đổi tên",
    "CDHT-W021": "dấu vân tay bố cục không khớp",
    "CDHT-W026": "cách tính dấu vân tay không rõ",
    "CDHT-W060": "tên vùng bị định nghĩa trùng",
    "CDHT-W061": "tên vùng có bản riêng của trang tính",
}


def os_reason(error: OSError) -> str:
    """The Vietnamese reason of an operating-system error, from a closed vocabulary (never the
    system's English text): the ``reason`` fact of W001, W023, T001, C001."""
    return _OS_REASONS.get(error.errno, f"lỗi hệ thống số {error.errno}" if error.errno else "lỗi hệ thống")


def nfc(text: Any) -> Any:
    """NFC-normalise strings (Vietnamese typed with combining marks), pass anything else through."""
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


@dataclass
class Finding:
    """One coded finding: where → what rule failed → which value → how to fix."""

    code: str
    severity: str
    message: str
    fix: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    line: int | None = None
    indicator: str | None = None
    facts: dict = field(default_factory=dict)

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.sheet:
            parts.append(f"trang '{self.sheet}'")
        if self.cell:
            parts.append(f"ô {self.cell}")
        elif self.row:
            parts.append(f"dòng {self.row}")
        return ", ".join(parts)

    def text(self) -> str:
        where = self.where()
        head = f"[{self.code}] {self.severity.upper()}"
        return f"{head}{' — ' + where if where else ''}: {self.message} Cách sửa: {self.fix}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("facts")
        return {k: v for k, v in d.items() if v is not None}


def finding(code: str, *, file=None, sheet=None, cell=None, row=None, line=None,
            indicator=None, **facts) -> Finding:
    """Build a :class:`Finding` from a code of :data:`MESSAGES` and the facts of the case."""
    severity, what, fix = MESSAGES[code]
    safe = _Facts({k: v for k, v in dict(file=file, sheet=sheet, cell=cell, row=row, line=line,
                                         indicator=indicator).items() if v is not None}, **facts)
    safe.code = code
    return Finding(code=code, severity=severity, message=nfc(what.format_map(safe)),
                   fix=nfc(fix.format_map(safe)), file=file, sheet=sheet, cell=cell, row=row,
                   line=line, indicator=indicator, facts=facts)


class _Facts(dict):
    code = ""

    def __missing__(self, key):  # a misspelt or forgotten fact is a programming error, never a "?"
        raise KeyError(f"{self.code}: thiếu dữ kiện '{key}' cho thông báo")


def has_errors(findings) -> bool:
    return any(f.severity == ERROR for f in findings)
