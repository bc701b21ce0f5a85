"""Statements the tests write themselves, from the layouts documented in
../shared/FORMATS.md, for formats of which no public sample could be copied: Alipay
merchant 账务明细 and 业务明细 (§4, CSV and the Taobao-seller XLSX), the ICBC 明细查询
export (§7a) and the JD personal statement (§8a). One merchant's day, consistent across
the files: two payments, a refund and a withdrawal on Alipay, the withdrawal arriving
at ICBC the next day.
"""

from __future__ import annotations

from pathlib import Path

TRADE_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
                "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,"
                "商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注")


def trade_row(trade, order, kind, time, ordered, received, fee, merchant_discount="0.00", batch="", alipay_red="0.00"):
    cells = [f"{trade}\t", f"{order}\t", f"{kind}\t", "龙井 250g", time, time, "", "", "", "", "*津水(602***@qq.com)\t",
             ordered, received, alipay_red, "0.00", "0.00", merchant_discount, "0.00", "", "0.00", "0.00",
             f"{batch}\t" if batch else "", fee, "0.00", ""]
    return ",".join(cells)


TRADE_ROWS = [
    trade_row("2026030122001100001", "QF1001", "交易", "2026-03-01 10:00:00", "100.00", "100.00", "0.60"),
    trade_row("2026030122001100002", "QF1002", "交易", "2026-03-01 11:00:00", "50.00", "45.00", "0.27",
              merchant_discount="5.00", alipay_red="2.00"),
    trade_row("2026030122001100001", "QF1001", "退款", "2026-03-01 15:00:00", "-20.00", "-20.00", "-0.12",
              batch="RF1001-1"),
]
TRADE_FOOTER = ["#交易合计：2笔，商家实收共145.00元，商家优惠共5.00元", "#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元"]


def trade_detail(folder: Path, rows=TRADE_ROWS, footer=TRADE_FOOTER, name="20880000_20260301_业务明细.csv") -> Path:
    lines = ["#支付宝业务明细查询", "#账号：[20880000000000000156]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             TRADE_HEADER, *rows,
             "#-----------------------------------------业务明细列表结束------------------------------------",
             *footer, "#导出时间：[2026年03月02日 05:46:49]"]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


FUND_HEADER = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"
FUND_HEADER_NEW = FUND_HEADER + ",业务描述,业务账单来源,业务基础订单号,业务订单号"


def fund_row(ident, trade, order, time, income, expense, balance, kind, note="", item="龙井 250g", new=False,
             other="*津水(602***@qq.com)"):
    cells = [f"{ident}\t", f"{trade}\t", f"{order}\t", item, time, f"{other}\t", income, expense, balance,
             "支付宝", kind, note]
    if new:
        cells += ["", "商户", "", ""]
    return ",".join(cells)


def fund_rows(new=False):
    return [  # newest first, as Alipay lists them; expenses written both ways (-0.60 and 20.00)
        fund_row("310007", "20260301000007", "", "2026-03-01 23:00:00", "0.00", "-124.25", "0.00", "提现",
                 "提现到工商银行", item="提现", new=new, other=""),
        fund_row("310006", "2026030122001100001", "QF1001", "2026-03-01 15:00:01", "0.12", "0.00", "124.25", "收费",
                 "服务费[2026030122001100001]", new=new),
        fund_row("310005", "2026030122001100001", "QF1001", "2026-03-01 15:00:00", "0.00", "20.00", "124.13", "退款",
                 new=new),
        fund_row("310004", "2026030122001100002", "QF1002", "2026-03-01 11:00:01", "0.00", "-0.27", "144.13", "收费",
                 "服务费[2026030122001100002]", new=new),
        fund_row("310003", "2026030122001100002", "QF1002", "2026-03-01 11:00:00", "45.00", "0.00", "144.40", "在线支付",
                 new=new),
        fund_row("310002", "2026030122001100001", "QF1001", "2026-03-01 10:00:01", "0.00", "-0.60", "99.40", "收费",
                 "服务费[2026030122001100001]", new=new),
        fund_row("310001", "2026030122001100001", "QF1001", "2026-03-01 10:00:00", "100.00", "0.00", "100.00", "在线支付",
                 new=new),
    ]


FUND_FOOTER = ["#支出合计：4笔，共145.12元", "#收入合计：3笔，共145.12元"]


def fund_lines(rows, footer, header=FUND_HEADER):
    return ["#支付宝账务明细查询", "#账号：[20880000000000000156]",
            "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
            "#-----------------------------------------账务明细列表----------------------------------------",
            header, *rows,
            "#-----------------------------------------账务明细列表结束------------------------------------",
            *footer, "#导出时间：[2026年03月02日 05:46:49]"]


def fund_ledger(folder: Path, rows=None, footer=FUND_FOOTER, name="20880000_20260301_账务明细.csv", new=False) -> Path:
    path = folder / name
    lines = fund_lines(fund_rows(new) if rows is None else rows, footer, FUND_HEADER_NEW if new else FUND_HEADER)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def fund_ledger_xlsx(folder: Path, name="对账-20260301.xlsx") -> Path:
    """The Taobao seller's 对账 workbook: the same lines, one cell each, amounts as numbers."""
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "账务明细"
    for line in fund_lines(fund_rows(), FUND_FOOTER):
        cells = line.split(",")
        sheet.append([float(c) if c.replace(".", "").lstrip("-").isdigit() and "." in c else c for c in cells])
    summary = book.create_sheet("汇总")
    summary.append(["类型", "收入笔数", "收入金额（+元）", "支出笔数", "支出金额（-元）", "总金额（元）"])
    path = folder / name
    book.save(path)
    return path


def fund_summary(folder: Path, name="20880000_20260301_账务明细(汇总).csv") -> Path:
    """The 账务汇总 that comes beside the 账务明细 in its download (§4): the same day's sums, no rows."""
    lines = ["#支付宝账务汇总查询", "#账号：[20880000000000000156]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
             "类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）,总金额（元）",
             "在线支付,2,145.00,0,0.00,145.00", "收费,1,0.12,2,0.87,-0.75", "退款,0,0.00,1,20.00,-20.00",
             "提现,0,0.00,1,124.25,-124.25", "合计,3,145.12,4,145.12,0.00", "#导出时间：[2026年03月02日 05:46:49]"]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def trade_summary(folder: Path, name="20880000_20260301_业务明细(汇总).csv") -> Path:
    """The 业务汇总 beside the 业务明细. Of it only its title is known (`#支付宝业务汇总查询`, by
    which code that unzips the download tells the two apart): its sums here are made up."""
    lines = ["#支付宝业务汇总查询", "#账号：[20880000000000000156]",
             "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
             "业务类型,笔数,订单金额（元）,商家实收（元）,服务费（元）", "交易,2,150.00,145.00,0.87",
             "退款,1,-20.00,-20.00,-0.12", "#导出时间：[2026年03月02日 05:46:49]"]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


# -- ICBC 明细查询 (cells padded with spaces and a TAB inside the quotes, `-` placeholders) ----

ICBC_HEADER = ("交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,记账金额(收入),"
               "记账金额(支出),记账币种,余额,对方户名,对方账户")


def _pad(value: str, width: int = 20) -> str:
    return f'"{value:<{width}}\t"'


def icbc_row(date, memo, detail, place, income, expense, balance, payee, original=("-", "-", "-")):
    cells = [f"{date}     \t", _pad(memo), _pad(detail, 30), _pad(place, 60), _pad("CHN"), "钞        \t",
             _pad(original[0]), _pad(original[1]), f"{original[2]:<15}\t", _pad(income), _pad(expense),
             "人民币         \t", _pad(balance), _pad(payee, 140), _pad("6222****1234", 19)]
    return ",".join(cells) + ","


ICBC_ROWS = [
    icbc_row("2026-03-04", "转账", "", "手机银行", "", "50.00", "1.75", "清风置业有限公司"),
    icbc_row("2026-03-03", "消费", "", "AMAZON WEB SERVICES", "", "72.50", "51.75", "AMAZON WEB SERVICES",
             original=("-", "10.00", "美元")),
    icbc_row("2026-03-02", "支付宝提现", "", "支付宝", "124.25", "", "124.25", "支付宝（中国）网络技术有限公司"),
]


def icbc_statement(folder: Path, rows=ICBC_ROWS, totals=("124.25", "122.50"), name="icbc.csv", v1=False) -> Path:
    header = ICBC_HEADER
    if v1:  # the older layout: no 交易详情 and no 对方账户
        header = header.replace("交易详情,", "").replace(",对方账户", "")
        rows = [",".join(c for i, c in enumerate(r.split(",")) if i not in (2, 14)) for r in rows]
    width = header.count(",") + 1
    at = header.split(",").index("记账金额(收入)")
    total = ["人民币合计"] + [""] * (width - 1)
    total[at], total[at + 1] = _pad(totals[0]), _pad(totals[1])
    lines = ["明细查询文件下载", "", '卡号: 6222****1234,"卡别名: 经营户"', "", '子账户序号: 00000,子账户类别: 活期,"子账户别名: "',
             "", header, *rows, " ", ",".join(total) + ","]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


# -- JD personal 交易流水 (UTF-8 with BOM) -------------------------------------------------

JD_HEADER = "交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注"
JD_ROWS = [
    "2023-03-01 12:04:37\t,京东平台商户,茶具套装,131.77(已退款89.84),京东白条,交易成功,支出,网购,283349211012\t,"
    "110000000000000000000044\t,",
    "2023-03-02 09:00:00\t,京东平台商户,退款-茶具套装,89.84,京东白条,退款成功,不计收支,网购,283349211012_1\t,"
    "110000000000000000000044\t,",
    "2023-03-03 10:00:00\t,张三,茶叶 250g 货款,268.00,余额,交易成功,收入,转账,2023030310000001\t,\t,",
    "2023-03-04 11:00:00\t,京东平台商户,先享后付-包装盒,0.00,先享后付,交易成功,支出,网购,2023030411000001\t,"
    "120000000000000000000001\t,",
    "2023-03-05 08:00:00\t,京东金融,白条主动还款,42.00,招商银行(1234),交易成功,不计收支,白条,2023030508000001\t,\t,",
    "2023-03-06 20:00:00\t,京东小金库,京东小金库收益,0.01,小金库零用钱,交易成功,收入,小金库,2023030620000001\t,\t,",
    "2023-03-07 21:00:00\t,京东平台商户,订单取消-纸巾,19.90,银行卡,交易关闭,支出,网购,2023030721000001\t,\t,",
]


def jd_statement(folder: Path, rows=JD_ROWS, name="jd.csv") -> Path:
    lines = ["导出信息：", "京东账号名：jd_qingfeng", "日期区间：2023-03-01 至 2023-03-31", "导出时间：2023-04-01 10:00:00",
             "共：7笔记录", "收入：2笔，268.01元", "支出：3笔，151.67元(含1笔部分退款)", "不计收支：2笔，131.84元", "",
             "特别提示：", "1.本明细仅供个人对账使用。", "", JD_HEADER, *rows]
    path = folder / name
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    return path
