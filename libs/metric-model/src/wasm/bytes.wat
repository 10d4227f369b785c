;; Byte routines for tables whose keys and probe bytes share one WebAssembly memory
;; (libs/metric-model/src/wasm/bytes.ts says why). Assembled by `node scripts/build-wasm.mjs`
;; (wabt, SIMD and bulk memory) into bytes-module.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 1))
  ;; 1 when the n bytes at a and b are equal, else 0
  (func (export "equal") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (block $differ
      (block $tail
        (loop $wide
          (br_if $tail (i32.lt_u (local.get $n) (i32.const 16)))
          (br_if $differ (v128.any_true (v128.xor (v128.load (local.get $a)) (v128.load (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (local.set $n (i32.sub (local.get $n) (i32.const 16)))
          (br $wide)))
      (loop $narrow
        (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $narrow)))
    (i32.const 0))
  ;; Decompresses the snappy elements at [ip, ipEnd) into [op, opEnd) (the block format after
  ;; its length preamble): 0 when they fill it exactly, else a negative error code:
  ;; -1 input ends inside an element, -2 literal length overflows, -3 output would pass opEnd,
  ;; -4 copy offset 0 or before the output's start, -5 output shorter than opEnd.
  (func (export "uncompress") (param $ip i32) (param $ipEnd i32) (param $op i32) (param $opEnd i32) (result i32)
    (local $opStart i32) (local $tag i32) (local $len i32) (local $off i32) (local $n i32) (local $shift i32) (local $from i32)
    (local.set $opStart (local.get $op))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $ip) (local.get $ipEnd)))
        (local.set $tag (i32.load8_u (local.get $ip)))
        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $tag) (i32.const 3)))
          (then
            ;; Literal: length - 1 in the tag's upper six bits, or in the 1-4 bytes after it.
            (local.set $len (i32.shr_u (local.get $tag) (i32.const 2)))
            (if (i32.ge_u (local.get $len) (i32.const 60))
              (then
                (local.set $n (i32.sub (local.get $len) (i32.const 59)))
                (if (i32.gt_u (local.get $n) (i32.sub (local.get $ipEnd) (local.get $ip))) (then (return (i32.const -1))))
                (local.set $len (i32.const 0))
                (local.set $shift (i32.const 0))
                (loop $lenByte
                  (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u (local.get $ip)) (local.get $shift))))
                  (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
                  (local.set $shift (i32.add (local.get $shift) (i32.const 8)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br_if $lenByte (local.get $n)))))
            (local.set $len (i32.add (local.get $len) (i32.const 1)))
            (if (i32.eqz (local.get $len)) (then (return (i32.const -2))))
            (if (i32.gt_u (local.get $len) (i32.sub (local.get $ipEnd) (local.get $ip))) (then (return (i32.const -1))))
            (if (i32.gt_u (local.get $len) (i32.sub (local.get $opEnd) (local.get $op))) (then (return (i32.const -3))))
            ;; Short literals (most) as one 16-byte move when both sides have the room: the
            ;; bytes written past the literal are output not produced yet, overwritten later.
            (if (i32.and (i32.le_u (local.get $len) (i32.const 16))
                         (i32.and (i32.ge_u (i32.sub (local.get $ipEnd) (local.get $ip)) (i32.const 16))
                                  (i32.ge_u (i32.sub (local.get $opEnd) (local.get $op)) (i32.const 16))))
              (then (v128.store (local.get $op) (v128.load (local.get $ip))))
              (else (memory.copy (local.get $op) (local.get $ip) (local.get $len))))
            (local.set $op (i32.add (local.get $op) (local.get $len)))
            (local.set $ip (i32.add (local.get $ip) (local.get $len)))
            (br $next)))
        ;; Copies: 1-byte offset (length 4-11, offset 11 bits), 2-byte or 4-byte offset (length 1-64).
        (if (i32.eq (i32.and (local.get $tag) (i32.const 3)) (i32.const 1))
          (then
            (if (i32.ge_u (local.get $ip) (local.get $ipEnd)) (then (return (i32.const -1))))
            (local.set $len (i32.add (i32.and (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 7)) (i32.const 4)))
            (local.set $off (i32.or (i32.shl (i32.shr_u (local.get $tag) (i32.const 5)) (i32.const 8)) (i32.load8_u (local.get $ip))))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1))))
          (else
            (local.set $len (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
            (if (i32.eq (i32.and (local.get $tag) (i32.const 3)) (i32.const 2))
              (then
                (if (i32.lt_u (i32.sub (local.get $ipEnd) (local.get $ip)) (i32.const 2)) (then (return (i32.const -1))))
                (local.set $off (i32.load16_u (local.get $ip)))
                (local.set $ip (i32.add (local.get $ip) (i32.const 2))))
              (else
                (if (i32.lt_u (i32.sub (local.get $ipEnd) (local.get $ip)) (i32.const 4)) (then (return (i32.const -1))))
                (local.set $off (i32.load (local.get $ip)))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))))))
        (if (i32.or (i32.eqz (local.get $off)) (i32.gt_u (local.get $off) (i32.sub (local.get $op) (local.get $opStart))))
          (then (return (i32.const -4))))
        (if (i32.gt_u (local.get $len) (i32.sub (local.get $opEnd) (local.get $op))) (then (return (i32.const -3))))
        (local.set $from (i32.sub (local.get $op) (local.get $off)))
        (if (i32.and (i32.ge_u (local.get $off) (i32.const 16))
                     (i32.and (i32.le_u (local.get $len) (i32.const 16))
                              (i32.ge_u (i32.sub (local.get $opEnd) (local.get $op)) (i32.const 16))))
          (then (v128.store (local.get $op) (v128.load (local.get $from))))
          (else
            (if (i32.ge_u (local.get $off) (local.get $len))
              (then (memory.copy (local.get $op) (local.get $from) (local.get $len)))
              (else
                ;; Overlapping (a repeated pattern): byte by byte, each byte already written.
                (local.set $n (local.get $len))
                (loop $byte
                  (i32.store8 (i32.add (local.get $op) (i32.sub (local.get $len) (local.get $n)))
                              (i32.load8_u (i32.add (local.get $from) (i32.sub (local.get $len) (local.get $n)))))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br_if $byte (local.get $n)))))))
        (local.set $op (i32.add (local.get $op) (local.get $len)))
        (br $next)))
    (if (i32.ne (local.get $op) (local.get $opEnd)) (then (return (i32.const -5))))
    (i32.const 0)))
