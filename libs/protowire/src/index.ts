export { ProtowireError } from './errors.js';
export { WireReader, wrongWireType, WIRE_VARINT, WIRE_FIXED64, WIRE_LEN, WIRE_FIXED32 } from './reader.js';
export { ProtoWriter } from './writer.js';
export { sliceUtf8, internedUtf8, isValidUtf8 } from './utf8.js';
