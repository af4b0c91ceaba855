"""A Record's state (its handle, pending sets, the row Python sent) sits in a private field of the Record
(bindings/record.js): page code sees no property or symbol holding it and cannot make an object that passes for a
Record, whatever it copies from a real one."""
from tests.bindings.record_tables import interpreter

CHECKS = r"""
const r = new Record('posts', {title: 'x'});
const fake = Object.create(Record.prototype);
const copy = Object.assign(Object.create(Record.prototype), r);
function refused(fn) { try { fn(); return 'no'; } catch (e) { return e.message; } }
[Reflect.ownKeys(r).length, Object.getOwnPropertySymbols(r).length, JSON.stringify(Object.getOwnPropertyDescriptors(r)),
 __pvRecords.isRecord(r), __pvRecords.isRecord(fake), __pvRecords.isRecord(copy), __pvRecords.isRecord(5),
 refused(() => fake.getString('title')), refused(() => Record.prototype.get.call(5, 'x')),
 refused(() => __pvRecords.kit.state(copy)), refused(() => new Record(null))]
"""


def test_page_code_can_neither_read_nor_forge_a_records_state():
    found = interpreter().eval_script(CHECKS)
    assert found[:7] == [0, 0, "{}", True, False, False, False]
    assert found[7:10] == ["pagesvm: not a Record"] * 3
    assert found[10].startswith("new Record(collection, data?)")
