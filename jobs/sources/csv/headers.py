"""The accepted column headers of both exports, in every Seller Center language: one table each.

``ORDER_HEADERS`` (Seller Center order export) and ``ADS_HEADERS`` (Ads Manager export) map a
canonical field to the header names that mean it, English first, then Chinese, Thai and
Vietnamese. Names are compared after ``common.normalise`` (NFKC, case folded, punctuation and
spaces dropped, letters of every script kept), so ``"订单号"``, ``"Mã đơn hàng"`` and
``"order_id"`` each match exactly one field, and a column whose header is in no list is ignored:
an unknown column never fills a field. ``tests/ingestion/test_csv_refuses.py`` checks that no
name means two fields. ``tikpulse import headers`` prints both tables.
"""

from __future__ import annotations

#: Seller Center order export: field -> header names (first match in this order wins).
ORDER_HEADERS: dict[str, tuple[str, ...]] = {
    "order_id": ("Order ID", "Order No", "订单号", "订单编号", "订单ID",
                 "หมายเลขคำสั่งซื้อ", "รหัสคำสั่งซื้อ", "Mã đơn hàng", "ID đơn hàng"),
    "status": ("Order Status", "Status", "订单状态", "สถานะคำสั่งซื้อ", "Trạng thái đơn hàng"),
    "sku_id": ("SKU ID", "SKU编号", "SKU ID号", "รหัส SKU", "Mã SKU", "ID SKU"),
    "seller_sku": ("Seller SKU", "卖家SKU", "商家SKU", "SKU ของผู้ขาย", "SKU người bán"),
    "product_id": ("Product ID", "商品ID", "รหัสสินค้า", "ID sản phẩm"),
    "product_name": ("Product Name", "商品名称", "ชื่อสินค้า", "Tên sản phẩm"),
    "quantity": ("Quantity", "数量", "จำนวน", "Số lượng"),
    "unit_price": ("SKU Unit Original Price", "Unit Price", "SKU单价", "SKU原价",
                   "ราคาต่อหน่วยเดิมของ SKU", "Đơn giá gốc của SKU"),
    "subtotal_before": ("SKU Subtotal Before Discount", "SKU折前小计", "SKU优惠前小计",
                        "ยอดรวมย่อยของ SKU ก่อนหักส่วนลด", "Tổng phụ SKU trước giảm giá"),
    "platform_discount": ("SKU Platform Discount", "SKU平台优惠", "SKU平台折扣",
                          "ส่วนลดจากแพลตฟอร์มของ SKU", "Giảm giá của nền tảng cho SKU"),
    "seller_discount": ("SKU Seller Discount", "SKU卖家优惠", "SKU卖家折扣",
                        "ส่วนลดจากผู้ขายของ SKU", "Giảm giá của người bán cho SKU"),
    "subtotal_after": ("SKU Subtotal After Discount", "SKU Subtotal", "SKU折后小计",
                       "SKU优惠后小计", "ยอดรวมย่อยของ SKU หลังหักส่วนลด",
                       "Tổng phụ SKU sau giảm giá"),
    "shipping_fee": ("Shipping Fee After Discount", "Shipping Fee", "折后运费", "优惠后运费",
                     "ค่าจัดส่งหลังหักส่วนลด", "Phí vận chuyển sau giảm giá"),
    "taxes": ("Taxes", "Tax", "税费", "ภาษี", "Thuế"),
    "order_amount": ("Order Amount", "Total Amount", "订单金额", "ยอดคำสั่งซื้อ",
                     "จำนวนเงินของคำสั่งซื้อ", "Tổng tiền đơn hàng", "Số tiền đơn hàng"),
    "refund_amount": ("Order Refund Amount", "Refund Amount", "订单退款金额", "退款金额",
                      "ยอดเงินคืนของคำสั่งซื้อ", "Số tiền hoàn lại của đơn hàng"),
    "created": ("Created Time", "Create Time", "创建时间", "下单时间", "เวลาที่สร้าง",
                "Thời gian tạo", "Thời gian tạo đơn"),
    "paid": ("Paid Time", "Payment Time", "付款时间", "支付时间", "เวลาที่ชำระเงิน",
             "Thời gian thanh toán"),
    "shipped": ("Shipped Time", "发货时间", "เวลาที่จัดส่ง", "Thời gian gửi hàng"),
    "delivered": ("Delivered Time", "送达时间", "签收时间", "เวลาที่ได้รับสินค้า",
                  "Thời gian giao hàng"),
    "cancelled": ("Cancelled Time", "Canceled Time", "取消时间", "เวลาที่ยกเลิก", "Thời gian hủy"),
    "cancel_by": ("Cancel By", "取消方", "ยกเลิกโดย", "Hủy bởi"),
    "cancel_reason": ("Cancel Reason", "取消原因", "เหตุผลในการยกเลิก", "Lý do hủy"),
    "country": ("Country", "Country/Region", "国家/地区", "ประเทศ", "Quốc gia"),
    "buyer_message": ("Buyer Message", "买家留言", "ข้อความจากผู้ซื้อ", "Lời nhắn của người mua"),
    "recipient": ("Recipient", "Recipient Name", "收件人", "ผู้รับ", "Người nhận"),
    "buyer": ("Buyer Username", "Buyer Nickname", "买家用户名", "买家昵称", "ชื่อผู้ใช้ของผู้ซื้อ",
              "Tên người dùng của người mua"),
    "order_type": ("Order Type", "Normal or Pre-order", "订单类型", "ประเภทคำสั่งซื้อ",
                   "Loại đơn hàng"),
}
#: The order export's fields that must be present.
ORDER_REQUIRED = ("order_id", "status", "sku_id", "quantity", "subtotal_after", "created")

#: Ads Manager export: field -> header names (first match in this order wins).
ADS_HEADERS: dict[str, tuple[str, ...]] = {
    "day": ("By Day", "Date", "Day", "stat_time_day", "日期", "按天", "วันที่", "Ngày"),
    "campaign_id": ("Campaign ID", "campaign_id", "推广系列ID", "广告系列ID", "รหัสแคมเปญ",
                    "ID chiến dịch"),
    "campaign_name": ("Campaign name", "Campaign", "推广系列名称", "广告系列名称", "ชื่อแคมเปญ",
                      "Tên chiến dịch"),
    "ad_id": ("Ad ID", "ad_id", "广告ID", "รหัสโฆษณา", "ID quảng cáo"),
    "ad_name": ("Ad name", "Ad", "广告名称", "ชื่อโฆษณา", "Tên quảng cáo"),
    "currency": ("Currency", "币种", "货币", "สกุลเงิน", "Tiền tệ"),
    "spend": ("Cost", "Spend", "Total cost", "花费", "消耗", "ค่าใช้จ่าย", "Chi phí"),
    "impressions": ("Impressions", "Impression", "展示次数", "การแสดงผล", "Lượt hiển thị"),
    "clicks": ("Clicks (destination)", "Clicks", "Clicks (all)", "点击次数", "คลิก", "Lượt nhấp"),
    "conversions": ("Conversions", "Conversion", "转化数", "การแปลง",
                    "Chuyển đổi"),
    "purchases": ("Complete payment", "Purchases", "Purchase", "Orders (SKU)", "完成支付",
                  "การชำระเงินที่เสร็จสมบูรณ์", "Hoàn tất thanh toán"),
    "purchase_value": ("Total onsite shopping value", "Gross revenue", "Total purchase value",
                       "Purchase value", "Complete payment value", "总收入", "网店购物总价值"),
    "video_views": ("Video views", "Video play actions", "视频播放次数", "การดูวิดีโอ",
                    "Lượt xem video"),
}
#: The ads export's fields that must be present.
ADS_REQUIRED = ("day", "campaign_id", "spend")
