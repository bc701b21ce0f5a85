"""SWIFT MT940: :60F: opening, one :61:/:86: pair a line (decimal comma, bank ref after //), :62F: closing."""

from __future__ import annotations

from datetime import timedelta

from .banks import closing, running


def _amt(x):
    return f"{abs(x):.2f}".replace(".", ",")


def _bal(tag, amount, day, cur):
    return f":{tag}:{'C' if amount >= 0 else 'D'}{day:%y%m%d}{cur}{_amt(amount)}"


def write(m, b, folder):
    end = m.bank_end[b.name]
    lines = [":20:SIM" + str(m.shape.seed), ":25:GB29NWBK60161331926819", ":28C:1/1",
             _bal("60F", b.opening, m.shape.start - timedelta(days=1), b.currency)]
    for l, _ in running(m, b):
        lines.append(f":61:{l.day:%y%m%d}{l.day:%m%d}{'C' if l.amount > 0 else 'D'}{_amt(l.amount)}NTRFNONREF//{l.ref}")
        info = f"{l.payee} {l.memo}"
        lines.append(":86:" + info[:65])
        lines += [info[i:i + 65] for i in range(65, len(info), 65)]
    lines += [_bal("62F", closing(m, b), end, b.currency), "-"]
    f = folder / f"{b.name}.sta"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return [f]
