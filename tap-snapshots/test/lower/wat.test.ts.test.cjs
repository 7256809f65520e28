/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) forward at -O3 > memory plan: offsets as [c, ·B, ·T, ·B·T] bytes 1`] = `
Object {
  "inputs": Array [
    Object {
      "name": "Whx",
      "offset": Array [
        64,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          2,
        ],
      },
    },
    Object {
      "name": "Whh",
      "offset": Array [
        96,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          3,
        ],
      },
    },
    Object {
      "name": "bh",
      "offset": Array [
        144,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
        ],
      },
    },
    Object {
      "name": "x",
      "offset": Array [
        160,
        64,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          2,
        ],
      },
    },
    Object {
      "name": "h",
      "offset": Array [
        160,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
  ],
  "memoryBytes": Array [
    160,
    64,
    0,
    64,
  ],
  "outputs": Array [
    Object {
      "name": "%scan.1",
      "offset": Array [
        160,
        64,
        0,
        16,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          3,
        ],
      },
    },
    Object {
      "name": "%scan",
      "offset": Array [
        160,
        16,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
  ],
  "wasmBytes": 3100,
}
`

exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) forward at -O3 > module text 1`] = `
(module
 (type $0 (func (param i32 i32)))
 (memory $0 1 65536)
 (export "memory" (memory $0))
 (export "run" (func $0))
 (func $0 (param $0 i32) (param $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 v128)
  (local $19 v128)
  (local $20 v128)
  (local $21 v128)
  (local $22 v128)
  (local $23 v128)
  (local $24 f32)
  (local $25 f32)
  (local $26 f32)
  (local $27 f32)
  (local $28 f32)
  (local $29 f32)
  (local.set $17
   (i32.add
    (local.tee $13
     (i32.add
      (i32.shl
       (local.get $0)
       (i32.const 6)
      )
      (i32.const 160)
     )
    )
    (i32.mul
     (local.tee $15
      (i32.mul
       (local.get $0)
       (local.get $1)
      )
     )
     (i32.const 48)
    )
   )
  )
  (local.set $11
   (i32.add
    (i32.shl
     (local.get $15)
     (i32.const 5)
    )
    (local.get $13)
   )
  )
  (local.set $5
   (i32.shr_u
    (local.get $15)
    (i32.const 2)
   )
  )
  (loop $label2
   (local.set $4
    (select
     (i32.const 1)
     (local.tee $3
      (i32.sub
       (i32.const 1)
       (local.get $14)
      )
     )
     (i32.gt_s
      (local.get $3)
      (i32.const 1)
     )
    )
   )
   (local.set $12
    (i32.const 0)
   )
   (if
    (local.get $5)
    (then
     (loop $label1
      (local.set $10
       (i32.const 0)
      )
      (if
       (i32.gt_s
        (local.get $4)
        (i32.const 0)
       )
       (then
        (local.set $8
         (i32.add
          (local.get $13)
          (i32.shl
           (local.get $12)
           (i32.const 5)
          )
         )
        )
        (local.set $2
         (i32.add
          (local.get $11)
          (i32.mul
           (local.get $12)
           (i32.const 48)
          )
         )
        )
        (loop $label
         (local.set $9
          (i32.sub
           (i32.shl
            (local.tee $3
             (i32.shl
              (i32.add
               (local.get $10)
               (local.get $14)
              )
              (i32.const 1)
             )
            )
            (i32.const 3)
           )
           (i32.const -64)
          )
         )
         (f32.store
          (local.tee $3
           (i32.add
            (local.get $2)
            (i32.shl
             (local.get $3)
             (i32.const 2)
            )
           )
          )
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $8)
             )
             (f32.load
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $8)
            )
            (f32.load offset=4
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=4
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $8)
             )
             (f32.load offset=8
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $8)
            )
            (f32.load offset=12
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=12
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=8
              (local.get $8)
             )
             (f32.load
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=12
             (local.get $8)
            )
            (f32.load offset=4
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=16
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=8
              (local.get $8)
             )
             (f32.load offset=8
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=12
             (local.get $8)
            )
            (f32.load offset=12
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=24
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=16
              (local.get $8)
             )
             (f32.load
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=20
             (local.get $8)
            )
            (f32.load offset=4
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=28
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=16
              (local.get $8)
             )
             (f32.load offset=8
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=20
             (local.get $8)
            )
            (f32.load offset=12
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=36
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $8)
             )
             (f32.load
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $8)
            )
            (f32.load offset=4
             (local.get $9)
            )
           )
          )
         )
         (f32.store offset=40
          (local.get $3)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $8)
             )
             (f32.load offset=8
              (local.get $9)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $8)
            )
            (f32.load offset=12
             (local.get $9)
            )
           )
          )
         )
         (br_if $label
          (i32.gt_s
           (local.get $4)
           (local.tee $10
            (i32.add
             (local.get $10)
             (i32.const 1)
            )
           )
          )
         )
        )
       )
      )
      (br_if $label1
       (i32.gt_s
        (local.get $5)
        (local.tee $12
         (i32.add
          (local.get $12)
          (i32.const 1)
         )
        )
       )
      )
     )
    )
   )
   (br_if $label2
    (i32.le_s
     (local.tee $14
      (i32.add
       (local.get $14)
       (i32.const 1)
      )
     )
     (i32.const 0)
    )
   )
  )
  (local.set $2
   (i32.const 0)
  )
  (if
   (local.get $5)
   (then
    (loop $label3
     (f32.store
      (local.tee $3
       (i32.add
        (i32.add
         (local.get $11)
         (i32.mul
          (local.get $2)
          (i32.const 48)
         )
        )
        (i32.const 8)
       )
      )
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.tee $4
           (i32.add
            (local.get $13)
            (i32.shl
             (local.get $2)
             (i32.const 5)
            )
           )
          )
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $4)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=12
      (local.get $3)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=8
          (local.get $4)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=12
         (local.get $4)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=24
      (local.get $3)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=16
          (local.get $4)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=20
         (local.get $4)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=36
      (local.get $3)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=24
          (local.get $4)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=28
         (local.get $4)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (br_if $label3
      (i32.gt_s
       (local.get $5)
       (local.tee $2
        (i32.add
         (local.get $2)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $12
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $2
     (i32.sub
      (local.get $15)
      (local.tee $4
       (i32.shl
        (local.get $5)
        (i32.const 2)
       )
      )
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label4
     (f32.store
      (local.tee $10
       (i32.add
        (local.get $11)
        (i32.mul
         (local.tee $3
          (i32.add
           (local.get $4)
           (local.get $12)
          )
         )
         (i32.const 12)
        )
       )
      )
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.tee $3
           (i32.add
            (local.get $13)
            (i32.shl
             (local.get $3)
             (i32.const 3)
            )
           )
          )
         )
         (f32.load
          (i32.const 64)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 68)
        )
       )
      )
     )
     (f32.store offset=4
      (local.get $10)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.get $3)
         )
         (f32.load
          (i32.const 72)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 76)
        )
       )
      )
     )
     (f32.store offset=8
      (local.get $10)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.get $3)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (br_if $label4
      (i32.gt_s
       (local.get $2)
       (local.tee $12
        (i32.add
         (local.get $12)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $12
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $4
     (i32.mul
      (local.get $0)
      (local.get $1)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label6
     (local.set $14
      (i32.const 0)
     )
     (local.set $2
      (i32.add
       (local.get $11)
       (local.tee $3
        (i32.mul
         (local.get $12)
         (i32.const 12)
        )
       )
      )
     )
     (local.set $3
      (i32.add
       (local.get $3)
       (local.get $17)
      )
     )
     (loop $label5
      (f32.store
       (i32.add
        (local.get $3)
        (local.tee $10
         (i32.shl
          (local.get $14)
          (i32.const 2)
         )
        )
       )
       (f32.add
        (f32.load
         (i32.add
          (local.get $2)
          (local.get $10)
         )
        )
        (f32.load
         (i32.add
          (local.get $10)
          (i32.const 144)
         )
        )
       )
      )
      (br_if $label5
       (i32.lt_s
        (local.tee $14
         (i32.add
          (local.get $14)
          (i32.const 1)
         )
        )
        (i32.const 3)
       )
      )
     )
     (br_if $label6
      (i32.gt_s
       (local.get $4)
       (local.tee $12
        (i32.add
         (local.get $12)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (memory.copy
   (local.tee $3
    (i32.add
     (i32.shl
      (local.get $0)
      (i32.const 4)
     )
     (i32.const 160)
    )
   )
   (i32.const 160)
   (i32.mul
    (local.get $0)
    (i32.const 12)
   )
  )
  (local.set $9
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.get $1)
    (i32.const 0)
   )
   (then
    (local.set $12
     (i32.add
      (i32.shl
       (local.get $15)
       (i32.const 4)
      )
      (local.get $13)
     )
    )
    (loop $label14
     (local.set $15
      (i32.add
       (local.get $17)
       (local.tee $14
        (i32.shl
         (i32.mul
          (local.get $9)
          (i32.mul
           (local.get $0)
           (i32.const 3)
          )
         )
         (i32.const 2)
        )
       )
      )
     )
     (local.set $13
      (i32.const 0)
     )
     (local.set $16
      (i32.add
       (i32.shl
        (local.get $0)
        (i32.const 5)
       )
       (i32.const 160)
      )
     )
     (local.set $8
      (i32.shr_u
       (local.get $0)
       (i32.const 2)
      )
     )
     (loop $label9
      (local.set $10
       (select
        (i32.const 1)
        (local.tee $2
         (i32.sub
          (i32.const 1)
          (local.get $13)
         )
        )
        (i32.gt_s
         (local.get $2)
         (i32.const 1)
        )
       )
      )
      (local.set $5
       (i32.const 0)
      )
      (if
       (local.get $8)
       (then
        (loop $label8
         (local.set $6
          (i32.add
           (local.get $3)
           (local.tee $2
            (i32.mul
             (local.get $5)
             (i32.const 48)
            )
           )
          )
         )
         (local.set $11
          (i32.const 0)
         )
         (if
          (i32.gt_s
           (local.get $10)
           (i32.const 0)
          )
          (then
           (local.set $4
            (i32.add
             (local.get $2)
             (local.get $16)
            )
           )
           (loop $label7
            (local.set $7
             (i32.add
              (i32.mul
               (local.tee $2
                (i32.shl
                 (i32.add
                  (local.get $11)
                  (local.get $13)
                 )
                 (i32.const 1)
                )
               )
               (i32.const 12)
              )
              (i32.const 96)
             )
            )
            (f32.store
             (local.tee $2
              (i32.add
               (local.get $4)
               (i32.shl
                (local.get $2)
                (i32.const 2)
               )
              )
             )
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load
                  (local.get $6)
                 )
                 (f32.load
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=4
                 (local.get $6)
                )
                (f32.load offset=4
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=8
                (local.get $6)
               )
               (f32.load offset=8
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=4
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load
                  (local.get $6)
                 )
                 (f32.load offset=12
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=4
                 (local.get $6)
                )
                (f32.load offset=16
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=8
                (local.get $6)
               )
               (f32.load offset=20
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=12
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=12
                  (local.get $6)
                 )
                 (f32.load
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=16
                 (local.get $6)
                )
                (f32.load offset=4
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=20
                (local.get $6)
               )
               (f32.load offset=8
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=16
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=12
                  (local.get $6)
                 )
                 (f32.load offset=12
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=16
                 (local.get $6)
                )
                (f32.load offset=16
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=20
                (local.get $6)
               )
               (f32.load offset=20
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=24
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=24
                  (local.get $6)
                 )
                 (f32.load
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=28
                 (local.get $6)
                )
                (f32.load offset=4
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=32
                (local.get $6)
               )
               (f32.load offset=8
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=28
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=24
                  (local.get $6)
                 )
                 (f32.load offset=12
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=28
                 (local.get $6)
                )
                (f32.load offset=16
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=32
                (local.get $6)
               )
               (f32.load offset=20
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=36
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=36
                  (local.get $6)
                 )
                 (f32.load
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=40
                 (local.get $6)
                )
                (f32.load offset=4
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=44
                (local.get $6)
               )
               (f32.load offset=8
                (local.get $7)
               )
              )
             )
            )
            (f32.store offset=40
             (local.get $2)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=36
                  (local.get $6)
                 )
                 (f32.load offset=12
                  (local.get $7)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=40
                 (local.get $6)
                )
                (f32.load offset=16
                 (local.get $7)
                )
               )
              )
              (f32.mul
               (f32.load offset=44
                (local.get $6)
               )
               (f32.load offset=20
                (local.get $7)
               )
              )
             )
            )
            (br_if $label7
             (i32.gt_s
              (local.get $10)
              (local.tee $11
               (i32.add
                (local.get $11)
                (i32.const 1)
               )
              )
             )
            )
           )
          )
         )
         (br_if $label8
          (i32.gt_s
           (local.get $8)
           (local.tee $5
            (i32.add
             (local.get $5)
             (i32.const 1)
            )
           )
          )
         )
        )
       )
      )
      (br_if $label9
       (i32.le_s
        (local.tee $13
         (i32.add
          (local.get $13)
          (i32.const 1)
         )
        )
        (i32.const 0)
       )
      )
     )
     (local.set $5
      (i32.const 0)
     )
     (if
      (local.get $8)
      (then
       (loop $label10
        (f32.store
         (local.tee $4
          (i32.add
           (i32.add
            (local.get $16)
            (local.tee $2
             (i32.mul
              (local.get $5)
              (i32.const 48)
             )
            )
           )
           (i32.const 8)
          )
         )
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.tee $2
               (i32.add
                (local.get $2)
                (local.get $3)
               )
              )
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=12
         (local.get $4)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=12
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=16
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=20
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=24
         (local.get $4)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=32
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=36
         (local.get $4)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=36
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=40
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=44
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (br_if $label10
         (i32.gt_s
          (local.get $8)
          (local.tee $5
           (i32.add
            (local.get $5)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $5
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $4
        (i32.sub
         (local.get $0)
         (local.tee $10
          (i32.shl
           (local.get $8)
           (i32.const 2)
          )
         )
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label11
        (f32.store
         (local.tee $11
          (i32.add
           (local.get $16)
           (local.tee $2
            (i32.mul
             (i32.add
              (local.get $5)
              (local.get $10)
             )
             (i32.const 12)
            )
           )
          )
         )
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.tee $2
               (i32.add
                (local.get $2)
                (local.get $3)
               )
              )
             )
             (f32.load
              (i32.const 96)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 100)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 104)
           )
          )
         )
        )
        (f32.store offset=4
         (local.get $11)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $2)
             )
             (f32.load
              (i32.const 108)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 112)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 116)
           )
          )
         )
        )
        (f32.store offset=8
         (local.get $11)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (br_if $label11
         (i32.gt_s
          (local.get $4)
          (local.tee $5
           (i32.add
            (local.get $5)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $11
      (i32.add
       (i32.mul
        (local.get $0)
        (i32.const 48)
       )
       (i32.const 160)
      )
     )
     (local.set $5
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $2
        (i32.and
         (local.tee $10
          (i32.mul
           (local.get $0)
           (i32.const 3)
          )
         )
         (i32.const -4)
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label12
        (v128.store align=4
         (i32.add
          (local.get $11)
          (local.tee $4
           (i32.shl
            (local.get $5)
            (i32.const 2)
           )
          )
         )
         (block (result v128)
          (local.set $20
           (f32x4.mul
            (local.tee $19
             (f32x4.abs
              (local.tee $23
               (f32x4.add
                (v128.load align=4
                 (i32.add
                  (local.get $4)
                  (local.get $15)
                 )
                )
                (v128.load align=4
                 (i32.add
                  (local.get $4)
                  (local.get $16)
                 )
                )
               )
              )
             )
            )
            (local.get $19)
           )
          )
          (local.set $22
           (f32x4.sub
            (local.tee $21
             (f32x4.add
              (f32x4.mul
               (local.tee $18
                (f32x4.min
                 (f32x4.max
                  (f32x4.add
                   (local.get $19)
                   (local.get $19)
                  )
                  (v128.const i32x4 0xc2d00000 0xc2d00000 0xc2d00000 0xc2d00000)
                 )
                 (v128.const i32x4 0x42b20000 0x42b20000 0x42b20000 0x42b20000)
                )
               )
               (v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b)
              )
              (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
             )
            )
            (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
           )
          )
          (v128.bitselect
           (local.get $23)
           (v128.bitselect
            (f32x4.add
             (local.get $19)
             (f32x4.mul
              (f32x4.mul
               (local.get $19)
               (local.get $20)
              )
              (f32x4.add
               (f32x4.mul
                (f32x4.add
                 (f32x4.mul
                  (f32x4.add
                   (f32x4.mul
                    (f32x4.add
                     (f32x4.mul
                      (v128.const i32x4 0xbbbaf0e7 0xbbbaf0e7 0xbbbaf0e7 0xbbbaf0e7)
                      (local.get $20)
                     )
                     (v128.const i32x4 0x3ca9134e 0x3ca9134e 0x3ca9134e 0x3ca9134e)
                    )
                    (local.get $20)
                   )
                   (v128.const i32x4 0xbd5c1e2d 0xbd5c1e2d 0xbd5c1e2d 0xbd5c1e2d)
                  )
                  (local.get $20)
                 )
                 (v128.const i32x4 0x3e088393 0x3e088393 0x3e088393 0x3e088393)
                )
                (local.get $20)
               )
               (v128.const i32x4 0xbeaaaa99 0xbeaaaa99 0xbeaaaa99 0xbeaaaa99)
              )
             )
            )
            (f32x4.sub
             (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
             (f32x4.div
              (v128.const i32x4 0x40000000 0x40000000 0x40000000 0x40000000)
              (f32x4.add
               (f32x4.mul
                (f32x4.mul
                 (f32x4.add
                  (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
                  (f32x4.add
                   (local.tee $18
                    (f32x4.sub
                     (f32x4.sub
                      (local.get $18)
                      (f32x4.mul
                       (local.get $22)
                       (v128.const i32x4 0x3f317200 0x3f317200 0x3f317200 0x3f317200)
                      )
                     )
                     (f32x4.mul
                      (local.get $22)
                      (v128.const i32x4 0x35bfbe8e 0x35bfbe8e 0x35bfbe8e 0x35bfbe8e)
                     )
                    )
                   )
                   (f32x4.mul
                    (f32x4.mul
                     (local.get $18)
                     (local.get $18)
                    )
                    (f32x4.add
                     (f32x4.mul
                      (f32x4.add
                       (f32x4.mul
                        (f32x4.add
                         (f32x4.mul
                          (f32x4.add
                           (f32x4.mul
                            (v128.const i32x4 0x3ab511f8 0x3ab511f8 0x3ab511f8 0x3ab511f8)
                            (local.get $18)
                           )
                           (v128.const i32x4 0x3c091d05 0x3c091d05 0x3c091d05 0x3c091d05)
                          )
                          (local.get $18)
                         )
                         (v128.const i32x4 0x3d2aac79 0x3d2aac79 0x3d2aac79 0x3d2aac79)
                        )
                        (local.get $18)
                       )
                       (v128.const i32x4 0x3e2aaa49 0x3e2aaa49 0x3e2aaa49 0x3e2aaa49)
                      )
                      (local.get $18)
                     )
                     (v128.const i32x4 0x3efffffe 0x3efffffe 0x3efffffe 0x3efffffe)
                    )
                   )
                  )
                 )
                 (i32x4.shl
                  (i32x4.add
                   (local.tee $21
                    (i32x4.shr_s
                     (local.tee $18
                      (i32x4.sub
                       (local.get $21)
                       (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
                      )
                     )
                     (i32.const 1)
                    )
                   )
                   (v128.const i32x4 0x0000007f 0x0000007f 0x0000007f 0x0000007f)
                  )
                  (i32.const 23)
                 )
                )
                (i32x4.shl
                 (i32x4.add
                  (i32x4.sub
                   (local.get $18)
                   (local.get $21)
                  )
                  (v128.const i32x4 0x0000007f 0x0000007f 0x0000007f 0x0000007f)
                 )
                 (i32.const 23)
                )
               )
               (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
              )
             )
            )
            (f32x4.lt
             (local.get $19)
             (v128.const i32x4 0x3f200000 0x3f200000 0x3f200000 0x3f200000)
            )
           )
           (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)
          )
         )
        )
        (br_if $label12
         (i32.gt_s
          (local.get $2)
          (local.tee $5
           (i32.add
            (local.get $5)
            (i32.const 4)
           )
          )
         )
        )
       )
      )
     )
     (if
      (i32.lt_s
       (local.get $5)
       (local.get $10)
      )
      (then
       (loop $label13
        (f32.store
         (i32.add
          (local.get $11)
          (local.tee $2
           (i32.shl
            (local.get $5)
            (i32.const 2)
           )
          )
         )
         (block (result f32)
          (local.set $26
           (f32.mul
            (local.tee $25
             (f32.abs
              (local.tee $28
               (f32.add
                (f32.load
                 (i32.add
                  (local.get $2)
                  (local.get $15)
                 )
                )
                (f32.load
                 (i32.add
                  (local.get $2)
                  (local.get $16)
                 )
                )
               )
              )
             )
            )
            (local.get $25)
           )
          )
          (local.set $27
           (f32.add
            (local.tee $29
             (f32.add
              (f32.mul
               (local.tee $24
                (f32.min
                 (f32.max
                  (f32.add
                   (local.get $25)
                   (local.get $25)
                  )
                  (f32.const -104)
                 )
                 (f32.const 89)
                )
               )
               (f32.const 1.4426950216293335)
              )
              (f32.const 12582912)
             )
            )
            (f32.const -12582912)
           )
          )
          (f32.copysign
           (select
            (f32.add
             (local.get $25)
             (f32.mul
              (f32.mul
               (local.get $25)
               (local.get $26)
              )
              (f32.add
               (f32.mul
                (f32.add
                 (f32.mul
                  (f32.add
                   (f32.mul
                    (f32.add
                     (f32.mul
                      (local.get $26)
                      (f32.const -0.005704987328499556)
                     )
                     (f32.const 0.0206390880048275)
                    )
                    (local.get $26)
                   )
                   (f32.const -0.05373971536755562)
                  )
                  (local.get $26)
                 )
                 (f32.const 0.13331441581249237)
                )
                (local.get $26)
               )
               (f32.const -0.3333328068256378)
              )
             )
            )
            (f32.sub
             (f32.const 1)
             (f32.div
              (f32.const 2)
              (f32.add
               (f32.mul
                (f32.mul
                 (f32.add
                  (f32.add
                   (local.tee $24
                    (f32.sub
                     (f32.sub
                      (local.get $24)
                      (f32.mul
                       (local.get $27)
                       (f32.const 0.693145751953125)
                      )
                     )
                     (f32.mul
                      (local.get $27)
                      (f32.const 1.428606765330187e-06)
                     )
                    )
                   )
                   (f32.mul
                    (f32.mul
                     (local.get $24)
                     (local.get $24)
                    )
                    (f32.add
                     (f32.mul
                      (f32.add
                       (f32.mul
                        (f32.add
                         (f32.mul
                          (f32.add
                           (f32.mul
                            (local.get $24)
                            (f32.const 0.001381455920636654)
                           )
                           (f32.const 0.008368735201656818)
                          )
                          (local.get $24)
                         )
                         (f32.const 0.04166838899254799)
                        )
                        (local.get $24)
                       )
                       (f32.const 0.1666652113199234)
                      )
                      (local.get $24)
                     )
                     (f32.const 0.4999999403953552)
                    )
                   )
                  )
                  (f32.const 1)
                 )
                 (f32.reinterpret_i32
                  (i32.shl
                   (i32.add
                    (local.tee $2
                     (i32.shr_s
                      (local.tee $4
                       (i32.sub
                        (i32.reinterpret_f32
                         (local.get $29)
                        )
                        (i32.const 1262485504)
                       )
                      )
                      (i32.const 1)
                     )
                    )
                    (i32.const 127)
                   )
                   (i32.const 23)
                  )
                 )
                )
                (f32.reinterpret_i32
                 (i32.shl
                  (i32.add
                   (i32.sub
                    (local.get $4)
                    (local.get $2)
                   )
                   (i32.const 127)
                  )
                  (i32.const 23)
                 )
                )
               )
               (f32.const 1)
              )
             )
            )
            (f32.lt
             (local.get $25)
             (f32.const 0.625)
            )
           )
           (local.get $28)
          )
         )
        )
        (br_if $label13
         (i32.lt_s
          (local.tee $5
           (i32.add
            (local.get $5)
            (i32.const 1)
           )
          )
          (local.get $10)
         )
        )
       )
      )
     )
     (memory.copy
      (local.get $3)
      (local.tee $4
       (i32.add
        (i32.mul
         (local.get $0)
         (i32.const 48)
        )
        (i32.const 160)
       )
      )
      (local.tee $2
       (i32.mul
        (local.get $0)
        (i32.const 12)
       )
      )
     )
     (memory.copy
      (i32.add
       (local.get $12)
       (local.get $14)
      )
      (local.get $4)
      (local.get $2)
     )
     (br_if $label14
      (i32.gt_s
       (local.get $1)
       (local.tee $9
        (i32.add
         (local.get $9)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
 )
)

`

exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) VJP at -O3 > memory plan: offsets as [c, ·B, ·T, ·B·T] bytes 1`] = `
Object {
  "inputs": Array [
    Object {
      "name": "Whx",
      "offset": Array [
        64,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          2,
        ],
      },
    },
    Object {
      "name": "Whh",
      "offset": Array [
        96,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          3,
        ],
      },
    },
    Object {
      "name": "bh",
      "offset": Array [
        144,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
        ],
      },
    },
    Object {
      "name": "x",
      "offset": Array [
        12608,
        96,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          2,
        ],
      },
    },
    Object {
      "name": "h",
      "offset": Array [
        12608,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
    Object {
      "name": "%ct.scan.1",
      "offset": Array [
        12608,
        96,
        0,
        16,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          3,
        ],
      },
    },
    Object {
      "name": "%ct.scan",
      "offset": Array [
        12608,
        16,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
  ],
  "memoryBytes": Array [
    12608,
    96,
    0,
    128,
  ],
  "outputs": Array [
    Object {
      "name": "%scan.1",
      "offset": Array [
        12608,
        96,
        0,
        32,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          3,
        ],
      },
    },
    Object {
      "name": "%scan",
      "offset": Array [
        12608,
        32,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
    Object {
      "name": "%bptt.3",
      "offset": Array [
        160,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          2,
        ],
      },
    },
    Object {
      "name": "%bptt.4",
      "offset": Array [
        192,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
          3,
        ],
      },
    },
    Object {
      "name": "%bptt.5",
      "offset": Array [
        240,
        0,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          3,
        ],
      },
    },
    Object {
      "name": "%bptt.6",
      "offset": Array [
        12608,
        96,
        0,
        48,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "T",
          "B",
          2,
        ],
      },
    },
    Object {
      "name": "%bptt",
      "offset": Array [
        12608,
        48,
        0,
        0,
      ],
      "type": Object {
        "dtype": "f32",
        "shape": Array [
          "B",
          3,
        ],
      },
    },
  ],
  "wasmBytes": 5222,
}
`

exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) VJP at -O3 > module text 1`] = `
(module
 (type $0 (func (param i32 i32)))
 (memory $0 1 65536)
 (export "memory" (memory $0))
 (export "run" (func $0))
 (func $0 (param $0 i32) (param $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  (local $21 f32)
  (local $22 f32)
  (local $23 f32)
  (local $24 f32)
  (local $25 f32)
  (local $26 f32)
  (local $27 f32)
  (local $28 f32)
  (local $29 f32)
  (local $30 f32)
  (local $31 v128)
  (local $32 v128)
  (local $33 v128)
  (local $34 v128)
  (local $35 v128)
  (local $36 v128)
  (local $37 v128)
  (local $38 v128)
  (local $39 v128)
  (local.set $13
   (i32.add
    (local.tee $8
     (i32.add
      (i32.mul
       (local.get $0)
       (i32.const 96)
      )
      (i32.const 12608)
     )
    )
    (i32.mul
     (local.tee $12
      (i32.mul
       (local.get $0)
       (local.get $1)
      )
     )
     (i32.const 80)
    )
   )
  )
  (local.set $14
   (i32.add
    (i32.shl
     (local.get $12)
     (i32.const 6)
    )
    (local.get $8)
   )
  )
  (local.set $6
   (i32.shr_u
    (local.get $12)
    (i32.const 2)
   )
  )
  (loop $label2
   (local.set $10
    (select
     (i32.const 1)
     (local.tee $5
      (i32.sub
       (i32.const 1)
       (local.get $9)
      )
     )
     (i32.gt_s
      (local.get $5)
      (i32.const 1)
     )
    )
   )
   (local.set $3
    (i32.const 0)
   )
   (if
    (local.get $6)
    (then
     (loop $label1
      (local.set $7
       (i32.const 0)
      )
      (if
       (i32.gt_s
        (local.get $10)
        (i32.const 0)
       )
       (then
        (local.set $5
         (i32.add
          (local.get $8)
          (i32.shl
           (local.get $3)
           (i32.const 5)
          )
         )
        )
        (local.set $11
         (i32.add
          (local.get $14)
          (i32.mul
           (local.get $3)
           (i32.const 48)
          )
         )
        )
        (loop $label
         (local.set $2
          (i32.sub
           (i32.shl
            (local.tee $4
             (i32.shl
              (i32.add
               (local.get $7)
               (local.get $9)
              )
              (i32.const 1)
             )
            )
            (i32.const 3)
           )
           (i32.const -64)
          )
         )
         (f32.store
          (local.tee $4
           (i32.add
            (local.get $11)
            (i32.shl
             (local.get $4)
             (i32.const 2)
            )
           )
          )
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $5)
             )
             (f32.load
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $5)
            )
            (f32.load offset=4
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=4
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $5)
             )
             (f32.load offset=8
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $5)
            )
            (f32.load offset=12
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=12
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=8
              (local.get $5)
             )
             (f32.load
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=12
             (local.get $5)
            )
            (f32.load offset=4
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=16
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=8
              (local.get $5)
             )
             (f32.load offset=8
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=12
             (local.get $5)
            )
            (f32.load offset=12
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=24
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=16
              (local.get $5)
             )
             (f32.load
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=20
             (local.get $5)
            )
            (f32.load offset=4
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=28
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=16
              (local.get $5)
             )
             (f32.load offset=8
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=20
             (local.get $5)
            )
            (f32.load offset=12
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=36
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $5)
             )
             (f32.load
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $5)
            )
            (f32.load offset=4
             (local.get $2)
            )
           )
          )
         )
         (f32.store offset=40
          (local.get $4)
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $5)
             )
             (f32.load offset=8
              (local.get $2)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $5)
            )
            (f32.load offset=12
             (local.get $2)
            )
           )
          )
         )
         (br_if $label
          (i32.gt_s
           (local.get $10)
           (local.tee $7
            (i32.add
             (local.get $7)
             (i32.const 1)
            )
           )
          )
         )
        )
       )
      )
      (br_if $label1
       (i32.gt_s
        (local.get $6)
        (local.tee $3
         (i32.add
          (local.get $3)
          (i32.const 1)
         )
        )
       )
      )
     )
    )
   )
   (br_if $label2
    (i32.le_s
     (local.tee $9
      (i32.add
       (local.get $9)
       (i32.const 1)
      )
     )
     (i32.const 0)
    )
   )
  )
  (local.set $3
   (i32.const 0)
  )
  (if
   (local.get $6)
   (then
    (loop $label3
     (f32.store
      (local.tee $2
       (i32.add
        (i32.add
         (local.get $14)
         (i32.mul
          (local.get $3)
          (i32.const 48)
         )
        )
        (i32.const 8)
       )
      )
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.tee $5
           (i32.add
            (local.get $8)
            (i32.shl
             (local.get $3)
             (i32.const 5)
            )
           )
          )
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=12
      (local.get $2)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=8
          (local.get $5)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=12
         (local.get $5)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=24
      (local.get $2)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=16
          (local.get $5)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=20
         (local.get $5)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (f32.store offset=36
      (local.get $2)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load offset=24
          (local.get $5)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=28
         (local.get $5)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (br_if $label3
      (i32.gt_s
       (local.get $6)
       (local.tee $3
        (i32.add
         (local.get $3)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $2
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $6
     (i32.sub
      (local.get $12)
      (local.tee $4
       (i32.shl
        (local.get $6)
        (i32.const 2)
       )
      )
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label4
     (f32.store
      (local.tee $3
       (i32.add
        (local.get $14)
        (i32.mul
         (local.tee $5
          (i32.add
           (local.get $2)
           (local.get $4)
          )
         )
         (i32.const 12)
        )
       )
      )
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.tee $5
           (i32.add
            (local.get $8)
            (i32.shl
             (local.get $5)
             (i32.const 3)
            )
           )
          )
         )
         (f32.load
          (i32.const 64)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 68)
        )
       )
      )
     )
     (f32.store offset=4
      (local.get $3)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.get $5)
         )
         (f32.load
          (i32.const 72)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 76)
        )
       )
      )
     )
     (f32.store offset=8
      (local.get $3)
      (f32.add
       (f32.add
        (f32.mul
         (f32.load
          (local.get $5)
         )
         (f32.load
          (i32.const 80)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 84)
        )
       )
      )
     )
     (br_if $label4
      (i32.gt_s
       (local.get $6)
       (local.tee $2
        (i32.add
         (local.get $2)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $2
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $3
     (i32.mul
      (local.get $0)
      (local.get $1)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label6
     (local.set $4
      (i32.const 0)
     )
     (local.set $6
      (i32.add
       (local.get $14)
       (local.tee $5
        (i32.mul
         (local.get $2)
         (i32.const 12)
        )
       )
      )
     )
     (local.set $9
      (i32.add
       (local.get $5)
       (local.get $13)
      )
     )
     (loop $label5
      (f32.store
       (i32.add
        (local.get $9)
        (local.tee $5
         (i32.shl
          (local.get $4)
          (i32.const 2)
         )
        )
       )
       (f32.add
        (f32.load
         (i32.add
          (local.get $5)
          (local.get $6)
         )
        )
        (f32.load
         (i32.add
          (local.get $5)
          (i32.const 144)
         )
        )
       )
      )
      (br_if $label5
       (i32.lt_s
        (local.tee $4
         (i32.add
          (local.get $4)
          (i32.const 1)
         )
        )
        (i32.const 3)
       )
      )
     )
     (br_if $label6
      (i32.gt_s
       (local.get $3)
       (local.tee $2
        (i32.add
         (local.get $2)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $19
   (i32.add
    (i32.shl
     (local.get $12)
     (i32.const 5)
    )
    (local.get $8)
   )
  )
  (memory.copy
   (local.tee $5
    (i32.add
     (i32.shl
      (local.get $0)
      (i32.const 5)
     )
     (i32.const 12608)
    )
   )
   (i32.const 12608)
   (i32.mul
    (local.get $0)
    (i32.const 12)
   )
  )
  (local.set $4
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.get $1)
    (i32.const 0)
   )
   (then
    (loop $label14
     (local.set $17
      (i32.add
       (local.get $13)
       (local.tee $16
        (i32.shl
         (i32.mul
          (local.get $4)
          (i32.mul
           (local.get $0)
           (i32.const 3)
          )
         )
         (i32.const 2)
        )
       )
      )
     )
     (local.set $10
      (i32.const 0)
     )
     (local.set $9
      (i32.add
       (i32.shl
        (local.get $0)
        (i32.const 6)
       )
       (i32.const 12608)
      )
     )
     (local.set $7
      (i32.shr_u
       (local.get $0)
       (i32.const 2)
      )
     )
     (loop $label9
      (local.set $20
       (select
        (i32.const 1)
        (local.tee $2
         (i32.sub
          (i32.const 1)
          (local.get $10)
         )
        )
        (i32.gt_s
         (local.get $2)
         (i32.const 1)
        )
       )
      )
      (local.set $11
       (i32.const 0)
      )
      (if
       (local.get $7)
       (then
        (loop $label8
         (local.set $2
          (i32.add
           (local.get $5)
           (local.tee $3
            (i32.mul
             (local.get $11)
             (i32.const 48)
            )
           )
          )
         )
         (local.set $15
          (i32.const 0)
         )
         (if
          (i32.gt_s
           (local.get $20)
           (i32.const 0)
          )
          (then
           (local.set $18
            (i32.add
             (local.get $3)
             (local.get $9)
            )
           )
           (loop $label7
            (local.set $3
             (i32.add
              (i32.mul
               (local.tee $6
                (i32.shl
                 (i32.add
                  (local.get $10)
                  (local.get $15)
                 )
                 (i32.const 1)
                )
               )
               (i32.const 12)
              )
              (i32.const 96)
             )
            )
            (f32.store
             (local.tee $6
              (i32.add
               (local.get $18)
               (i32.shl
                (local.get $6)
                (i32.const 2)
               )
              )
             )
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load
                  (local.get $2)
                 )
                 (f32.load
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=4
                 (local.get $2)
                )
                (f32.load offset=4
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=8
                (local.get $2)
               )
               (f32.load offset=8
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=4
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load
                  (local.get $2)
                 )
                 (f32.load offset=12
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=4
                 (local.get $2)
                )
                (f32.load offset=16
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=8
                (local.get $2)
               )
               (f32.load offset=20
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=12
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=12
                  (local.get $2)
                 )
                 (f32.load
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=16
                 (local.get $2)
                )
                (f32.load offset=4
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=20
                (local.get $2)
               )
               (f32.load offset=8
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=16
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=12
                  (local.get $2)
                 )
                 (f32.load offset=12
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=16
                 (local.get $2)
                )
                (f32.load offset=16
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=20
                (local.get $2)
               )
               (f32.load offset=20
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=24
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=24
                  (local.get $2)
                 )
                 (f32.load
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=28
                 (local.get $2)
                )
                (f32.load offset=4
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=32
                (local.get $2)
               )
               (f32.load offset=8
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=28
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=24
                  (local.get $2)
                 )
                 (f32.load offset=12
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=28
                 (local.get $2)
                )
                (f32.load offset=16
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=32
                (local.get $2)
               )
               (f32.load offset=20
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=36
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=36
                  (local.get $2)
                 )
                 (f32.load
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=40
                 (local.get $2)
                )
                (f32.load offset=4
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=44
                (local.get $2)
               )
               (f32.load offset=8
                (local.get $3)
               )
              )
             )
            )
            (f32.store offset=40
             (local.get $6)
             (f32.add
              (f32.add
               (f32.add
                (f32.mul
                 (f32.load offset=36
                  (local.get $2)
                 )
                 (f32.load offset=12
                  (local.get $3)
                 )
                )
                (f32.const 0)
               )
               (f32.mul
                (f32.load offset=40
                 (local.get $2)
                )
                (f32.load offset=16
                 (local.get $3)
                )
               )
              )
              (f32.mul
               (f32.load offset=44
                (local.get $2)
               )
               (f32.load offset=20
                (local.get $3)
               )
              )
             )
            )
            (br_if $label7
             (i32.gt_s
              (local.get $20)
              (local.tee $15
               (i32.add
                (local.get $15)
                (i32.const 1)
               )
              )
             )
            )
           )
          )
         )
         (br_if $label8
          (i32.gt_s
           (local.get $7)
           (local.tee $11
            (i32.add
             (local.get $11)
             (i32.const 1)
            )
           )
          )
         )
        )
       )
      )
      (br_if $label9
       (i32.le_s
        (local.tee $10
         (i32.add
          (local.get $10)
          (i32.const 1)
         )
        )
        (i32.const 0)
       )
      )
     )
     (local.set $3
      (i32.const 0)
     )
     (if
      (local.get $7)
      (then
       (loop $label10
        (f32.store
         (local.tee $6
          (i32.add
           (i32.add
            (local.get $9)
            (local.tee $2
             (i32.mul
              (local.get $3)
              (i32.const 48)
             )
            )
           )
           (i32.const 8)
          )
         )
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.tee $2
               (i32.add
                (local.get $2)
                (local.get $5)
               )
              )
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=12
         (local.get $6)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=12
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=16
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=20
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=24
         (local.get $6)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=24
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=32
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (f32.store offset=36
         (local.get $6)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load offset=36
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=40
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=44
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (br_if $label10
         (i32.gt_s
          (local.get $7)
          (local.tee $3
           (i32.add
            (local.get $3)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $3
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $10
        (i32.sub
         (local.get $0)
         (local.tee $7
          (i32.shl
           (local.get $7)
           (i32.const 2)
          )
         )
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label11
        (f32.store
         (local.tee $6
          (i32.add
           (local.get $9)
           (local.tee $2
            (i32.mul
             (i32.add
              (local.get $3)
              (local.get $7)
             )
             (i32.const 12)
            )
           )
          )
         )
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.tee $2
               (i32.add
                (local.get $2)
                (local.get $5)
               )
              )
             )
             (f32.load
              (i32.const 96)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 100)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 104)
           )
          )
         )
        )
        (f32.store offset=4
         (local.get $6)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $2)
             )
             (f32.load
              (i32.const 108)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 112)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 116)
           )
          )
         )
        )
        (f32.store offset=8
         (local.get $6)
         (f32.add
          (f32.add
           (f32.add
            (f32.mul
             (f32.load
              (local.get $2)
             )
             (f32.load
              (i32.const 120)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 124)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 128)
           )
          )
         )
        )
        (br_if $label11
         (i32.gt_s
          (local.get $10)
          (local.tee $3
           (i32.add
            (local.get $3)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $3
      (i32.add
       (i32.mul
        (local.get $0)
        (i32.const 80)
       )
       (i32.const 12608)
      )
     )
     (local.set $2
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $10
        (i32.and
         (local.tee $6
          (i32.mul
           (local.get $0)
           (i32.const 3)
          )
         )
         (i32.const -4)
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label12
        (v128.store align=4
         (i32.add
          (local.get $3)
          (local.tee $7
           (i32.shl
            (local.get $2)
            (i32.const 2)
           )
          )
         )
         (block (result v128)
          (local.set $31
           (f32x4.mul
            (local.tee $32
             (f32x4.abs
              (local.tee $34
               (f32x4.add
                (v128.load align=4
                 (i32.add
                  (local.get $7)
                  (local.get $17)
                 )
                )
                (v128.load align=4
                 (i32.add
                  (local.get $7)
                  (local.get $9)
                 )
                )
               )
              )
             )
            )
            (local.get $32)
           )
          )
          (local.set $33
           (f32x4.sub
            (local.tee $36
             (f32x4.add
              (f32x4.mul
               (local.tee $35
                (f32x4.min
                 (f32x4.max
                  (f32x4.add
                   (local.get $32)
                   (local.get $32)
                  )
                  (v128.const i32x4 0xc2d00000 0xc2d00000 0xc2d00000 0xc2d00000)
                 )
                 (v128.const i32x4 0x42b20000 0x42b20000 0x42b20000 0x42b20000)
                )
               )
               (v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b)
              )
              (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
             )
            )
            (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
           )
          )
          (v128.bitselect
           (local.get $34)
           (v128.bitselect
            (f32x4.add
             (local.get $32)
             (f32x4.mul
              (f32x4.mul
               (local.get $32)
               (local.get $31)
              )
              (f32x4.add
               (f32x4.mul
                (f32x4.add
                 (f32x4.mul
                  (f32x4.add
                   (f32x4.mul
                    (f32x4.add
                     (f32x4.mul
                      (v128.const i32x4 0xbbbaf0e7 0xbbbaf0e7 0xbbbaf0e7 0xbbbaf0e7)
                      (local.get $31)
                     )
                     (v128.const i32x4 0x3ca9134e 0x3ca9134e 0x3ca9134e 0x3ca9134e)
                    )
                    (local.get $31)
                   )
                   (v128.const i32x4 0xbd5c1e2d 0xbd5c1e2d 0xbd5c1e2d 0xbd5c1e2d)
                  )
                  (local.get $31)
                 )
                 (v128.const i32x4 0x3e088393 0x3e088393 0x3e088393 0x3e088393)
                )
                (local.get $31)
               )
               (v128.const i32x4 0xbeaaaa99 0xbeaaaa99 0xbeaaaa99 0xbeaaaa99)
              )
             )
            )
            (f32x4.sub
             (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
             (f32x4.div
              (v128.const i32x4 0x40000000 0x40000000 0x40000000 0x40000000)
              (f32x4.add
               (f32x4.mul
                (f32x4.mul
                 (f32x4.add
                  (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
                  (f32x4.add
                   (local.tee $31
                    (f32x4.sub
                     (f32x4.sub
                      (local.get $35)
                      (f32x4.mul
                       (local.get $33)
                       (v128.const i32x4 0x3f317200 0x3f317200 0x3f317200 0x3f317200)
                      )
                     )
                     (f32x4.mul
                      (local.get $33)
                      (v128.const i32x4 0x35bfbe8e 0x35bfbe8e 0x35bfbe8e 0x35bfbe8e)
                     )
                    )
                   )
                   (f32x4.mul
                    (f32x4.mul
                     (local.get $31)
                     (local.get $31)
                    )
                    (f32x4.add
                     (f32x4.mul
                      (f32x4.add
                       (f32x4.mul
                        (f32x4.add
                         (f32x4.mul
                          (f32x4.add
                           (f32x4.mul
                            (v128.const i32x4 0x3ab511f8 0x3ab511f8 0x3ab511f8 0x3ab511f8)
                            (local.get $31)
                           )
                           (v128.const i32x4 0x3c091d05 0x3c091d05 0x3c091d05 0x3c091d05)
                          )
                          (local.get $31)
                         )
                         (v128.const i32x4 0x3d2aac79 0x3d2aac79 0x3d2aac79 0x3d2aac79)
                        )
                        (local.get $31)
                       )
                       (v128.const i32x4 0x3e2aaa49 0x3e2aaa49 0x3e2aaa49 0x3e2aaa49)
                      )
                      (local.get $31)
                     )
                     (v128.const i32x4 0x3efffffe 0x3efffffe 0x3efffffe 0x3efffffe)
                    )
                   )
                  )
                 )
                 (i32x4.shl
                  (i32x4.add
                   (local.tee $33
                    (i32x4.shr_s
                     (local.tee $31
                      (i32x4.sub
                       (local.get $36)
                       (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)
                      )
                     )
                     (i32.const 1)
                    )
                   )
                   (v128.const i32x4 0x0000007f 0x0000007f 0x0000007f 0x0000007f)
                  )
                  (i32.const 23)
                 )
                )
                (i32x4.shl
                 (i32x4.add
                  (i32x4.sub
                   (local.get $31)
                   (local.get $33)
                  )
                  (v128.const i32x4 0x0000007f 0x0000007f 0x0000007f 0x0000007f)
                 )
                 (i32.const 23)
                )
               )
               (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
              )
             )
            )
            (f32x4.lt
             (local.get $32)
             (v128.const i32x4 0x3f200000 0x3f200000 0x3f200000 0x3f200000)
            )
           )
           (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)
          )
         )
        )
        (br_if $label12
         (i32.gt_s
          (local.get $10)
          (local.tee $2
           (i32.add
            (local.get $2)
            (i32.const 4)
           )
          )
         )
        )
       )
      )
     )
     (if
      (i32.lt_s
       (local.get $2)
       (local.get $6)
      )
      (then
       (loop $label13
        (f32.store
         (i32.add
          (local.get $3)
          (local.tee $7
           (i32.shl
            (local.get $2)
            (i32.const 2)
           )
          )
         )
         (block (result f32)
          (local.set $21
           (f32.mul
            (local.tee $22
             (f32.abs
              (local.tee $24
               (f32.add
                (f32.load
                 (i32.add
                  (local.get $7)
                  (local.get $17)
                 )
                )
                (f32.load
                 (i32.add
                  (local.get $7)
                  (local.get $9)
                 )
                )
               )
              )
             )
            )
            (local.get $22)
           )
          )
          (local.set $23
           (f32.add
            (local.tee $26
             (f32.add
              (f32.mul
               (local.tee $25
                (f32.min
                 (f32.max
                  (f32.add
                   (local.get $22)
                   (local.get $22)
                  )
                  (f32.const -104)
                 )
                 (f32.const 89)
                )
               )
               (f32.const 1.4426950216293335)
              )
              (f32.const 12582912)
             )
            )
            (f32.const -12582912)
           )
          )
          (f32.copysign
           (select
            (f32.add
             (local.get $22)
             (f32.mul
              (f32.mul
               (local.get $22)
               (local.get $21)
              )
              (f32.add
               (f32.mul
                (f32.add
                 (f32.mul
                  (f32.add
                   (f32.mul
                    (f32.add
                     (f32.mul
                      (local.get $21)
                      (f32.const -0.005704987328499556)
                     )
                     (f32.const 0.0206390880048275)
                    )
                    (local.get $21)
                   )
                   (f32.const -0.05373971536755562)
                  )
                  (local.get $21)
                 )
                 (f32.const 0.13331441581249237)
                )
                (local.get $21)
               )
               (f32.const -0.3333328068256378)
              )
             )
            )
            (f32.sub
             (f32.const 1)
             (f32.div
              (f32.const 2)
              (f32.add
               (f32.mul
                (f32.mul
                 (f32.add
                  (f32.add
                   (local.tee $21
                    (f32.sub
                     (f32.sub
                      (local.get $25)
                      (f32.mul
                       (local.get $23)
                       (f32.const 0.693145751953125)
                      )
                     )
                     (f32.mul
                      (local.get $23)
                      (f32.const 1.428606765330187e-06)
                     )
                    )
                   )
                   (f32.mul
                    (f32.mul
                     (local.get $21)
                     (local.get $21)
                    )
                    (f32.add
                     (f32.mul
                      (f32.add
                       (f32.mul
                        (f32.add
                         (f32.mul
                          (f32.add
                           (f32.mul
                            (local.get $21)
                            (f32.const 0.001381455920636654)
                           )
                           (f32.const 0.008368735201656818)
                          )
                          (local.get $21)
                         )
                         (f32.const 0.04166838899254799)
                        )
                        (local.get $21)
                       )
                       (f32.const 0.1666652113199234)
                      )
                      (local.get $21)
                     )
                     (f32.const 0.4999999403953552)
                    )
                   )
                  )
                  (f32.const 1)
                 )
                 (f32.reinterpret_i32
                  (i32.shl
                   (i32.add
                    (local.tee $10
                     (i32.shr_s
                      (local.tee $7
                       (i32.sub
                        (i32.reinterpret_f32
                         (local.get $26)
                        )
                        (i32.const 1262485504)
                       )
                      )
                      (i32.const 1)
                     )
                    )
                    (i32.const 127)
                   )
                   (i32.const 23)
                  )
                 )
                )
                (f32.reinterpret_i32
                 (i32.shl
                  (i32.add
                   (i32.sub
                    (local.get $7)
                    (local.get $10)
                   )
                   (i32.const 127)
                  )
                  (i32.const 23)
                 )
                )
               )
               (f32.const 1)
              )
             )
            )
            (f32.lt
             (local.get $22)
             (f32.const 0.625)
            )
           )
           (local.get $24)
          )
         )
        )
        (br_if $label13
         (i32.lt_s
          (local.tee $2
           (i32.add
            (local.get $2)
            (i32.const 1)
           )
          )
          (local.get $6)
         )
        )
       )
      )
     )
     (memory.copy
      (local.tee $18
       (i32.add
        (i32.shl
         (local.get $0)
         (i32.const 6)
        )
        (i32.const 12608)
       )
      )
      (local.get $5)
      (local.tee $2
       (i32.mul
        (local.get $0)
        (i32.const 12)
       )
      )
     )
     (memory.copy
      (local.get $5)
      (local.tee $3
       (i32.add
        (i32.mul
         (local.get $0)
         (i32.const 80)
        )
        (i32.const 12608)
       )
      )
      (local.get $2)
     )
     (memory.copy
      (i32.add
       (local.get $16)
       (local.get $19)
      )
      (local.get $3)
      (local.get $2)
     )
     (memory.copy
      (i32.add
       (local.get $14)
       (local.get $16)
      )
      (local.get $18)
      (local.get $2)
     )
     (br_if $label14
      (i32.gt_s
       (local.get $1)
       (local.tee $4
        (i32.add
         (local.get $4)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (memory.copy
   (local.tee $7
    (i32.add
     (i32.mul
      (local.get $0)
      (i32.const 48)
     )
     (i32.const 12608)
    )
   )
   (i32.add
    (i32.shl
     (local.get $0)
     (i32.const 4)
    )
    (i32.const 12608)
   )
   (i32.mul
    (local.get $0)
    (i32.const 12)
   )
  )
  (local.set $2
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $5
     (local.get $1)
    )
    (i32.const 0)
   )
   (then
    (local.set $16
     (i32.add
      (i32.shl
       (local.get $12)
       (i32.const 4)
      )
      (local.get $8)
     )
    )
    (loop $label21
     (local.set $6
      (i32.add
       (local.get $19)
       (i32.shl
        (i32.mul
         (local.tee $1
          (local.tee $3
           (i32.mul
            (local.get $0)
            (i32.const 3)
           )
          )
         )
         (local.tee $4
          (i32.sub
           (i32.sub
            (local.get $5)
            (i32.const 1)
           )
           (local.get $2)
          )
         )
        )
        (i32.const 2)
       )
      )
     )
     (local.set $10
      (i32.add
       (local.get $16)
       (local.tee $17
        (i32.shl
         (i32.mul
          (local.get $1)
          (local.get $4)
         )
         (i32.const 2)
        )
       )
      )
     )
     (local.set $1
      (i32.const 0)
     )
     (local.set $9
      (i32.add
       (i32.shl
        (local.get $0)
        (i32.const 6)
       )
       (i32.const 12608)
      )
     )
     (if
      (i32.gt_s
       (local.tee $11
        (i32.and
         (local.get $3)
         (i32.const -4)
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label15
        (v128.store align=4
         (i32.add
          (local.get $9)
          (local.tee $4
           (i32.shl
            (local.get $1)
            (i32.const 2)
           )
          )
         )
         (f32x4.mul
          (f32x4.add
           (v128.load align=4
            (i32.add
             (local.get $4)
             (local.get $7)
            )
           )
           (v128.load align=4
            (i32.add
             (local.get $4)
             (local.get $10)
            )
           )
          )
          (f32x4.sub
           (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000)
           (f32x4.mul
            (local.tee $32
             (v128.load align=4
              (i32.add
               (local.get $4)
               (local.get $6)
              )
             )
            )
            (local.get $32)
           )
          )
         )
        )
        (br_if $label15
         (i32.gt_s
          (local.get $11)
          (local.tee $1
           (i32.add
            (local.get $1)
            (i32.const 4)
           )
          )
         )
        )
       )
      )
     )
     (if
      (i32.lt_s
       (local.get $1)
       (local.get $3)
      )
      (then
       (loop $label16
        (f32.store
         (i32.add
          (local.get $9)
          (local.tee $4
           (i32.shl
            (local.get $1)
            (i32.const 2)
           )
          )
         )
         (f32.mul
          (f32.add
           (f32.load
            (i32.add
             (local.get $4)
             (local.get $7)
            )
           )
           (f32.load
            (i32.add
             (local.get $4)
             (local.get $10)
            )
           )
          )
          (f32.sub
           (f32.const 1)
           (f32.mul
            (local.tee $22
             (f32.load
              (i32.add
               (local.get $4)
               (local.get $6)
              )
             )
            )
            (local.get $22)
           )
          )
         )
        )
        (br_if $label16
         (i32.lt_s
          (local.tee $1
           (i32.add
            (local.get $1)
            (i32.const 1)
           )
          )
          (local.get $3)
         )
        )
       )
      )
     )
     (local.set $10
      (i32.add
       (i32.mul
        (local.get $0)
        (i32.const 80)
       )
       (i32.const 12608)
      )
     )
     (local.set $15
      (i32.shl
       (local.tee $11
        (i32.shr_u
         (local.get $0)
         (i32.const 1)
        )
       )
       (i32.const 1)
      )
     )
     (local.set $1
      (i32.const 0)
     )
     (if
      (local.get $11)
      (then
       (loop $label18
        (local.set $3
         (i32.add
          (local.get $9)
          (local.tee $4
           (i32.mul
            (local.get $1)
            (i32.const 24)
           )
          )
         )
        )
        (local.set $6
         (i32.add
          (local.get $4)
          (local.get $10)
         )
        )
        (local.set $4
         (i32.const 96)
        )
        (local.set $22
         (f32.const 0)
        )
        (local.set $21
         (f32.const 0)
        )
        (local.set $23
         (f32.const 0)
        )
        (local.set $24
         (f32.const 0)
        )
        (local.set $25
         (f32.const 0)
        )
        (local.set $26
         (f32.const 0)
        )
        (loop $label17
         (local.set $22
          (f32.add
           (local.get $22)
           (f32.mul
            (local.tee $27
             (f32.load
              (local.get $3)
             )
            )
            (local.tee $28
             (f32.load
              (local.get $4)
             )
            )
           )
          )
         )
         (local.set $21
          (f32.add
           (local.get $21)
           (f32.mul
            (local.get $27)
            (local.tee $29
             (f32.load offset=4
              (local.get $4)
             )
            )
           )
          )
         )
         (local.set $23
          (f32.add
           (local.get $23)
           (f32.mul
            (local.get $27)
            (local.tee $30
             (f32.load offset=8
              (local.get $4)
             )
            )
           )
          )
         )
         (local.set $24
          (f32.add
           (local.get $24)
           (f32.mul
            (local.tee $27
             (f32.load offset=12
              (local.get $3)
             )
            )
            (local.get $28)
           )
          )
         )
         (local.set $25
          (f32.add
           (local.get $25)
           (f32.mul
            (local.get $27)
            (local.get $29)
           )
          )
         )
         (local.set $26
          (f32.add
           (local.get $26)
           (f32.mul
            (local.get $27)
            (local.get $30)
           )
          )
         )
         (local.set $3
          (i32.add
           (local.get $3)
           (i32.const 4)
          )
         )
         (br_if $label17
          (i32.lt_u
           (local.tee $4
            (i32.add
             (local.get $4)
             (i32.const 12)
            )
           )
           (i32.const 132)
          )
         )
        )
        (f32.store
         (local.get $6)
         (local.get $22)
        )
        (f32.store offset=4
         (local.get $6)
         (local.get $21)
        )
        (f32.store offset=8
         (local.get $6)
         (local.get $23)
        )
        (f32.store offset=12
         (local.get $6)
         (local.get $24)
        )
        (f32.store offset=16
         (local.get $6)
         (local.get $25)
        )
        (f32.store offset=20
         (local.get $6)
         (local.get $26)
        )
        (br_if $label18
         (i32.gt_s
          (local.get $11)
          (local.tee $1
           (i32.add
            (local.get $1)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $3
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $11
        (i32.sub
         (local.get $0)
         (local.get $15)
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label20
        (local.set $1
         (i32.add
          (local.get $9)
          (local.tee $4
           (i32.mul
            (i32.add
             (local.get $3)
             (local.get $15)
            )
            (i32.const 12)
           )
          )
         )
        )
        (local.set $6
         (i32.add
          (local.get $4)
          (local.get $10)
         )
        )
        (local.set $4
         (i32.const 96)
        )
        (local.set $22
         (f32.const 0)
        )
        (local.set $21
         (f32.const 0)
        )
        (local.set $23
         (f32.const 0)
        )
        (loop $label19
         (local.set $22
          (f32.add
           (local.get $22)
           (f32.mul
            (local.tee $24
             (f32.load
              (local.get $1)
             )
            )
            (f32.load
             (local.get $4)
            )
           )
          )
         )
         (local.set $21
          (f32.add
           (local.get $21)
           (f32.mul
            (local.get $24)
            (f32.load offset=4
             (local.get $4)
            )
           )
          )
         )
         (local.set $23
          (f32.add
           (local.get $23)
           (f32.mul
            (local.get $24)
            (f32.load offset=8
             (local.get $4)
            )
           )
          )
         )
         (local.set $1
          (i32.add
           (local.get $1)
           (i32.const 4)
          )
         )
         (br_if $label19
          (i32.lt_u
           (local.tee $4
            (i32.add
             (local.get $4)
             (i32.const 12)
            )
           )
           (i32.const 132)
          )
         )
        )
        (f32.store
         (local.get $6)
         (local.get $22)
        )
        (f32.store offset=4
         (local.get $6)
         (local.get $21)
        )
        (f32.store offset=8
         (local.get $6)
         (local.get $23)
        )
        (br_if $label20
         (i32.gt_s
          (local.get $11)
          (local.tee $3
           (i32.add
            (local.get $3)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (memory.copy
      (local.get $7)
      (i32.add
       (i32.mul
        (local.get $0)
        (i32.const 80)
       )
       (i32.const 12608)
      )
      (local.tee $1
       (i32.mul
        (local.get $0)
        (i32.const 12)
       )
      )
     )
     (memory.copy
      (i32.add
       (local.get $13)
       (local.get $17)
      )
      (i32.add
       (i32.shl
        (local.get $0)
        (i32.const 6)
       )
       (i32.const 12608)
      )
      (local.get $1)
     )
     (br_if $label21
      (i32.gt_s
       (local.get $5)
       (local.tee $2
        (i32.add
         (local.get $2)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $6
   (i32.add
    (i32.mul
     (local.get $12)
     (i32.const 48)
    )
    (local.get $8)
   )
  )
  (local.set $7
   (i32.shl
    (local.tee $9
     (i32.shr_u
      (local.tee $10
       (i32.mul
        (local.get $0)
        (local.get $5)
       )
      )
      (i32.const 1)
     )
    )
    (i32.const 1)
   )
  )
  (local.set $2
   (i32.const 0)
  )
  (if
   (local.get $9)
   (then
    (loop $label23
     (local.set $3
      (i32.add
       (local.get $13)
       (i32.mul
        (local.get $2)
        (i32.const 24)
       )
      )
     )
     (local.set $1
      (i32.const 64)
     )
     (local.set $4
      (i32.add
       (local.get $6)
       (i32.shl
        (local.get $2)
        (i32.const 4)
       )
      )
     )
     (local.set $22
      (f32.const 0)
     )
     (local.set $21
      (f32.const 0)
     )
     (local.set $23
      (f32.const 0)
     )
     (local.set $24
      (f32.const 0)
     )
     (loop $label22
      (local.set $22
       (f32.add
        (local.get $22)
        (f32.mul
         (local.tee $25
          (f32.load
           (local.get $3)
          )
         )
         (local.tee $26
          (f32.load
           (local.get $1)
          )
         )
        )
       )
      )
      (local.set $21
       (f32.add
        (local.get $21)
        (f32.mul
         (local.get $25)
         (local.tee $25
          (f32.load offset=4
           (local.get $1)
          )
         )
        )
       )
      )
      (local.set $23
       (f32.add
        (local.get $23)
        (f32.mul
         (local.tee $27
          (f32.load offset=12
           (local.get $3)
          )
         )
         (local.get $26)
        )
       )
      )
      (local.set $24
       (f32.add
        (local.get $24)
        (f32.mul
         (local.get $27)
         (local.get $25)
        )
       )
      )
      (local.set $3
       (i32.add
        (local.get $3)
        (i32.const 4)
       )
      )
      (br_if $label22
       (i32.lt_u
        (local.tee $1
         (i32.add
          (local.get $1)
          (i32.const 8)
         )
        )
        (i32.const 88)
       )
      )
     )
     (f32.store
      (local.get $4)
      (local.get $22)
     )
     (f32.store offset=4
      (local.get $4)
      (local.get $21)
     )
     (f32.store offset=8
      (local.get $4)
      (local.get $23)
     )
     (f32.store offset=12
      (local.get $4)
      (local.get $24)
     )
     (br_if $label23
      (i32.gt_s
       (local.get $9)
       (local.tee $2
        (i32.add
         (local.get $2)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $1
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $9
     (i32.sub
      (local.get $10)
      (local.get $7)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label25
     (local.set $3
      (i32.add
       (local.get $13)
       (i32.mul
        (local.tee $4
         (i32.add
          (local.get $1)
          (local.get $7)
         )
        )
        (i32.const 12)
       )
      )
     )
     (local.set $2
      (i32.const 64)
     )
     (local.set $4
      (i32.add
       (local.get $6)
       (i32.shl
        (local.get $4)
        (i32.const 3)
       )
      )
     )
     (local.set $22
      (f32.const 0)
     )
     (local.set $21
      (f32.const 0)
     )
     (loop $label24
      (local.set $22
       (f32.add
        (local.get $22)
        (f32.mul
         (local.tee $23
          (f32.load
           (local.get $3)
          )
         )
         (f32.load
          (local.get $2)
         )
        )
       )
      )
      (local.set $21
       (f32.add
        (local.get $21)
        (f32.mul
         (local.get $23)
         (f32.load offset=4
          (local.get $2)
         )
        )
       )
      )
      (local.set $3
       (i32.add
        (local.get $3)
        (i32.const 4)
       )
      )
      (br_if $label24
       (i32.lt_u
        (local.tee $2
         (i32.add
          (local.get $2)
          (i32.const 8)
         )
        )
        (i32.const 88)
       )
      )
     )
     (f32.store
      (local.get $4)
      (local.get $22)
     )
     (f32.store offset=4
      (local.get $4)
      (local.get $21)
     )
     (br_if $label25
      (i32.gt_s
       (local.get $9)
       (local.tee $1
        (i32.add
         (local.get $1)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $4
   (i32.add
    (i32.mul
     (local.get $12)
     (i32.const 96)
    )
    (local.get $8)
   )
  )
  (local.set $1
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $2
     (i32.mul
      (local.get $0)
      (local.get $5)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label26
     (i64.store align=1
      (i32.add
       (local.get $4)
       (i32.mul
        (local.get $1)
        (i32.const 20)
       )
      )
      (i64.load align=1
       (i32.add
        (local.get $8)
        (i32.shl
         (local.get $1)
         (i32.const 3)
        )
       )
      )
     )
     (br_if $label26
      (i32.gt_s
       (local.get $2)
       (local.tee $1
        (i32.add
         (local.get $1)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (local.set $1
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $8
     (i32.mul
      (local.get $0)
      (local.get $5)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label27
     (memory.copy
      (i32.add
       (local.get $4)
       (i32.shl
        (i32.add
         (i32.mul
          (local.get $1)
          (i32.const 5)
         )
         (i32.const 2)
        )
        (i32.const 2)
       )
      )
      (i32.add
       (local.get $14)
       (i32.mul
        (local.get $1)
        (i32.const 12)
       )
      )
      (i32.const 12)
     )
     (br_if $label27
      (i32.gt_s
       (local.get $8)
       (local.tee $1
        (i32.add
         (local.get $1)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
  (memory.fill
   (i32.const 12544)
   (i32.const 0)
   (i32.const 60)
  )
  (local.set $1
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $12
     (i32.mul
      (local.get $0)
      (local.get $5)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label31
     (local.set $2
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.tee $8
        (select
         (i32.const 256)
         (local.tee $8
          (i32.sub
           (local.get $12)
           (local.get $1)
          )
         )
         (i32.gt_s
          (local.get $8)
          (i32.const 256)
         )
        )
       )
       (i32.const 0)
      )
      (then
       (loop $label28
        (v128.store align=4
         (local.tee $3
          (i32.add
           (i32.shl
            (local.get $2)
            (i32.const 5)
           )
           (i32.const 256)
          )
         )
         (v128.load align=4
          (local.tee $6
           (i32.add
            (local.get $4)
            (i32.mul
             (i32.add
              (local.get $1)
              (local.get $2)
             )
             (i32.const 20)
            )
           )
          )
         )
        )
        (i32.store offset=16
         (local.get $3)
         (i32.load offset=16
          (local.get $6)
         )
        )
        (i32.store offset=20
         (local.get $3)
         (i32.const 0)
        )
        (i32.store offset=24
         (local.get $3)
         (i32.const 0)
        )
        (i32.store offset=28
         (local.get $3)
         (i32.const 0)
        )
        (br_if $label28
         (i32.gt_s
          (local.get $8)
          (local.tee $2
           (i32.add
            (local.get $2)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $2
      (i32.const 0)
     )
     (if
      (i32.gt_s
       (local.get $8)
       (i32.const 0)
      )
      (then
       (loop $label29
        (i64.store align=4
         (local.tee $3
          (i32.add
           (i32.shl
            (local.get $2)
            (i32.const 4)
           )
           (i32.const 8448)
          )
         )
         (i64.load align=4
          (local.tee $6
           (i32.add
            (i32.mul
             (i32.add
              (local.get $1)
              (local.get $2)
             )
             (i32.const 12)
            )
            (local.get $13)
           )
          )
         )
        )
        (i32.store offset=8
         (local.get $3)
         (i32.load offset=8
          (local.get $6)
         )
        )
        (br_if $label29
         (i32.gt_s
          (local.get $8)
          (local.tee $2
           (i32.add
            (local.get $2)
            (i32.const 1)
           )
          )
         )
        )
       )
      )
     )
     (local.set $2
      (i32.const 8448)
     )
     (local.set $3
      (i32.const 256)
     )
     (local.set $8
      (i32.add
       (i32.shl
        (local.get $8)
        (i32.const 5)
       )
       (i32.const 256)
      )
     )
     (local.set $32
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $31
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $33
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $34
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $35
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $36
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (loop $label30
      (local.set $32
       (f32x4.add
        (local.get $32)
        (f32x4.mul
         (local.tee $37
          (v128.load32_splat
           (local.get $2)
          )
         )
         (local.tee $39
          (v128.load align=4
           (local.get $3)
          )
         )
        )
       )
      )
      (local.set $31
       (f32x4.add
        (local.get $31)
        (f32x4.mul
         (local.get $37)
         (local.tee $37
          (v128.load offset=16 align=4
           (local.get $3)
          )
         )
        )
       )
      )
      (local.set $33
       (f32x4.add
        (local.get $33)
        (f32x4.mul
         (local.tee $38
          (v128.load32_splat offset=4
           (local.get $2)
          )
         )
         (local.get $39)
        )
       )
      )
      (local.set $34
       (f32x4.add
        (local.get $34)
        (f32x4.mul
         (local.get $38)
         (local.get $37)
        )
       )
      )
      (local.set $35
       (f32x4.add
        (local.get $35)
        (f32x4.mul
         (local.tee $38
          (v128.load32_splat offset=8
           (local.get $2)
          )
         )
         (local.get $39)
        )
       )
      )
      (local.set $36
       (f32x4.add
        (local.get $36)
        (f32x4.mul
         (local.get $38)
         (local.get $37)
        )
       )
      )
      (local.set $2
       (i32.add
        (local.get $2)
        (i32.const 16)
       )
      )
      (br_if $label30
       (i32.gt_u
        (local.get $8)
        (local.tee $3
         (i32.add
          (local.get $3)
          (i32.const 32)
         )
        )
       )
      )
     )
     (v128.store align=4
      (i32.const 12544)
      (f32x4.add
       (v128.load align=4
        (i32.const 12544)
       )
       (local.get $32)
      )
     )
     (f32.store
      (i32.const 12560)
      (f32.add
       (f32.load
        (i32.const 12560)
       )
       (f32x4.extract_lane 0
        (local.get $31)
       )
      )
     )
     (v128.store align=4
      (i32.const 12564)
      (f32x4.add
       (v128.load align=4
        (i32.const 12564)
       )
       (local.get $33)
      )
     )
     (f32.store
      (i32.const 12580)
      (f32.add
       (f32.load
        (i32.const 12580)
       )
       (f32x4.extract_lane 0
        (local.get $34)
       )
      )
     )
     (v128.store align=4
      (i32.const 12584)
      (f32x4.add
       (v128.load align=4
        (i32.const 12584)
       )
       (local.get $35)
      )
     )
     (f32.store
      (i32.const 12600)
      (f32.add
       (f32.load
        (i32.const 12600)
       )
       (f32x4.extract_lane 0
        (local.get $36)
       )
      )
     )
     (br_if $label31
      (i32.lt_s
       (local.tee $1
        (i32.add
         (local.get $1)
         (i32.const 256)
        )
       )
       (local.get $12)
      )
     )
    )
   )
  )
  (local.set $1
   (i32.const 0)
  )
  (loop $label32
   (i64.store align=1
    (i32.add
     (i32.shl
      (local.get $1)
      (i32.const 3)
     )
     (i32.const 160)
    )
    (i64.load align=1
     (i32.add
      (i32.mul
       (local.get $1)
       (i32.const 20)
      )
      (i32.const 12544)
     )
    )
   )
   (br_if $label32
    (i32.lt_s
     (local.tee $1
      (i32.add
       (local.get $1)
       (i32.const 1)
      )
     )
     (i32.const 3)
    )
   )
  )
  (local.set $1
   (i32.const 0)
  )
  (loop $label33
   (memory.copy
    (i32.add
     (i32.mul
      (local.get $1)
      (i32.const 12)
     )
     (i32.const 192)
    )
    (i32.add
     (i32.mul
      (local.get $1)
      (i32.const 20)
     )
     (i32.const 12552)
    )
    (i32.const 12)
   )
   (br_if $label33
    (i32.lt_s
     (local.tee $1
      (i32.add
       (local.get $1)
       (i32.const 1)
      )
     )
     (i32.const 3)
    )
   )
  )
  (memory.fill
   (i32.const 240)
   (i32.const 0)
   (i32.const 12)
  )
  (local.set $1
   (i32.const 0)
  )
  (if
   (i32.gt_s
    (local.tee $8
     (i32.mul
      (local.get $0)
      (local.get $5)
     )
    )
    (i32.const 0)
   )
   (then
    (loop $label34
     (f32.store
      (i32.const 240)
      (f32.add
       (f32.load
        (i32.const 240)
       )
       (f32.load
        (local.tee $0
         (i32.add
          (local.get $13)
          (i32.mul
           (local.get $1)
           (i32.const 12)
          )
         )
        )
       )
      )
     )
     (f32.store
      (i32.const 244)
      (f32.add
       (f32.load
        (i32.const 244)
       )
       (f32.load offset=4
        (local.get $0)
       )
      )
     )
     (f32.store
      (i32.const 248)
      (f32.add
       (f32.load
        (i32.const 248)
       )
       (f32.load offset=8
        (local.get $0)
       )
      )
     )
     (br_if $label34
      (i32.gt_s
       (local.get $8)
       (local.tee $1
        (i32.add
         (local.get $1)
         (i32.const 1)
        )
       )
      )
     )
    )
   )
  )
 )
)

`
