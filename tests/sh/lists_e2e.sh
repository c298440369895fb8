# lists_e2e.sh — Mẫu 02 lists as .xlsx through the portal in headless Chromium (tests/e2e/lists.mjs):
# template links, an uploaded workbook with three bad rows (all shown), a clean one (taken), and
# the small list form (add, edit, send, a refused row, remove), against a real server on a demo
# instance. LISTS_SCREENSHOTS=DIR saves the screenshots at 1280 and 375 px there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
HEAD='["STT","Họ và tên","Ngày sinh","Số CCCD/CMND/Hộ chiếu","Ngày cấp","Nơi cấp","Thư điện tử công vụ","Cơ quan, đơn vị công tác","Tỉnh/thành phố","Chức vụ","Ngạch/Vị trí","Số điện thoại di động","Số hiệu chứng thư số cũ (nếu có)"]'
# good: shared strings, a date serial, a text date, an inline string, an ID with a leading zero
cat >"$T/good.json" <<JSON
[$HEAD,
 [{"n":1},"Nguyễn Thị Thu Hà",{"date":31118},"001185012345","10/05/2021","Cục Cảnh sát QLHC về TTXH","ha.ntt@mic.gov.vn","Vụ Pháp chế","Hà Nội","Chuyên viên chính","Công chức","0912345678"],
 [{"n":2},{"inline":"Trần Văn Đức"},"02/11/1979","036079004567",{"date":44428},"Cục Cảnh sát QLHC về TTXH","duc.tv@mic.gov.vn","Vụ Pháp chế, Phòng 2","Hà Nội","Phó Vụ trưởng","Công chức","+84 987 654 321"]]
JSON
# bad: a date that does not exist (row 3), a category outside the procedure (row 5, row 4 left
# empty), an ID number that lost its leading zero (row 6)
cat >"$T/bad.json" <<JSON
[$HEAD,
 [{"n":1},"Nguyễn Thị Thu Hà",{"date":31118},"001185012345","10/05/2021","Cục CS","ha@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Công chức","0912345678"],
 [{"n":2},"Trần Văn Đức","31/02/1979","036079004567","20/08/2021","Cục CS","duc@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Công chức","0987654321"],
 {"row": 5, "cells": [{"n":3},"Lê Văn Cường","01/01/1980","001080000003","20/08/2021","Cục CS","c@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Hợp đồng","0987654322"]},
 [{"n":4},"Phạm Thị Dung",{"date":29221},"1080000004","20/08/2021","Cục CS","d@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Viên chức","0987654323"]]
JSON
python3 "$CT_SRC/tests/xlsx.py" make "$T/good.xlsx" "$T/good.json"
python3 "$CT_SRC/tests/xlsx.py" make "$T/bad.xlsx" "$T/bad.json"

e2e_serve
e2e_node lists "$T/bad.xlsx" "$T/good.xlsx"
same "the audit chain still verifies" "0" "$(ct audit verify >/dev/null 2>&1; echo $?)"
stop_server
finish
