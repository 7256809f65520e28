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
        608,
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
        640,
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
        688,
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
        704,
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
        704,
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
    704,
    64,
    0,
    64,
  ],
  "outputs": Array [
    Object {
      "name": "%scan.1",
      "offset": Array [
        704,
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
        704,
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
  "wasmBytes": 3280,
}
`

exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) forward at -O3 > module text 1`] = `
(module
 (type $0 (func (param i32 i32)))
 (memory $0 1 65536)
 (data $0 (i32.const 66) "\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\b2B\\00\\00\\b2B\\00\\00\\b2B\\00\\00\\b2B;\\aa\\b8?;\\aa\\b8?;\\aa\\b8?;\\aa\\b8?\\00\\00@K\\00\\00@K\\00\\00@K\\00\\00@K\\00r1?\\00r1?\\00r1?\\00r1?\\8e\\be\\bf5\\8e\\be\\bf5\\8e\\be\\bf5\\8e\\be\\bf5\\00\\00\\80?\\00\\00\\80?\\00\\00\\80?\\00\\00\\80?\\fe\\ff\\ff>\\fe\\ff\\ff>\\fe\\ff\\ff>\\fe\\ff\\ff>I\\aa*>I\\aa*>I\\aa*>I\\aa*>y\\ac*=y\\ac*=y\\ac*=y\\ac*=\\05\\1d\\t<\\05\\1d\\t<\\05\\1d\\t<\\05\\1d\\t<\\f8\\11\\b5:\\f8\\11\\b5:\\f8\\11\\b5:\\f8\\11\\b5:\\7f\\00\\00\\00\\7f\\00\\00\\00\\7f\\00\\00\\00\\7f\\00\\00\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\00K\\00\\00\\00K\\00\\00\\00K\\00\\00\\00K\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\00@\\00\\00\\00@\\00\\00\\00@\\00\\00\\00@\\bd\\aa*?\\bd\\aa*?\\bd\\aa*?\\bd\\aa*?c\\af\\cc>c\\af\\cc>c\\af\\cc>c\\af\\cc>\\fe\\f0\\98>\\fe\\f0\\98>\\fe\\f0\\98>\\fe\\f0\\98>\\00\\00\\00?\\00\\00\\00?\\00\\00\\00?\\00\\00\\00?\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\f3\\045?\\f3\\045?\\f3\\045?\\f3\\045?\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\00\\00 ?\\00\\00 ?\\00\\00 ?\\00\\00 ?\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\93\\83\\08>\\93\\83\\08>\\93\\83\\08>\\93\\83\\08>-\\1e\\\\\\bd-\\1e\\\\\\bd-\\1e\\\\\\bd-\\1e\\\\\\bdN\\13\\a9<N\\13\\a9<N\\13\\a9<N\\13\\a9<\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\00\\00\\80B\\00\\00\\80B\\00\\00\\80B\\00\\00\\80B\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80")
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
  (local $24 v128)
  (local $25 f32)
  (local $26 f32)
  (local $27 f32)
  (local $28 f32)
  (local $29 f32)
  (local $30 f32)
  (local.set $17
   (i32.add
    (local.tee $13
     (i32.add
      (i32.shl
       (local.get $0)
       (i32.const 6)
      )
      (i32.const 704)
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
          (i32.add
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
           (i32.const 608)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $4)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=12
         (local.get $4)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=20
         (local.get $4)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=28
         (local.get $4)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 608)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 612)
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
          (i32.const 616)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 620)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $3)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 688)
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
     (i32.const 704)
    )
   )
   (i32.const 704)
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
       (i32.const 704)
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
              (i32.const 640)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=16
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=20
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=32
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=40
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=44
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 640)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 644)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 648)
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
              (i32.const 652)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 656)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 660)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
       (i32.const 704)
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
        (local.set $20
         (f32x4.mul
          (local.tee $19
           (f32x4.abs
            (local.tee $21
             (f32x4.add
              (v128.load align=4
               (i32.add
                (local.get $15)
                (local.tee $4
                 (i32.shl
                  (local.get $5)
                  (i32.const 2)
                 )
                )
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
        (local.set $23
         (f32x4.sub
          (local.tee $24
           (f32x4.add
            (f32x4.mul
             (local.tee $18
              (f32x4.pmin
               (f32x4.add
                (local.get $19)
                (local.get $19)
               )
               (v128.load
                (i32.const 576)
               )
              )
             )
             (v128.load
              (i32.const 96)
             )
            )
            (local.tee $22
             (v128.load
              (i32.const 112)
             )
            )
           )
          )
          (local.get $22)
         )
        )
        (v128.store align=4
         (i32.add
          (local.get $4)
          (local.get $11)
         )
         (v128.bitselect
          (local.get $21)
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
                     (v128.load
                      (i32.const 560)
                     )
                     (local.get $20)
                    )
                    (v128.load
                     (i32.const 544)
                    )
                   )
                   (local.get $20)
                  )
                  (v128.load
                   (i32.const 528)
                  )
                 )
                 (local.get $20)
                )
                (v128.load
                 (i32.const 512)
                )
               )
               (local.get $20)
              )
              (v128.load
               (i32.const 496)
              )
             )
            )
           )
           (f32x4.sub
            (local.tee $21
             (v128.load
              (i32.const 160)
             )
            )
            (f32x4.div
             (v128.load
              (i32.const 320)
             )
             (f32x4.add
              (f32x4.mul
               (f32x4.add
                (local.get $21)
                (f32x4.add
                 (local.tee $18
                  (f32x4.sub
                   (f32x4.sub
                    (local.get $18)
                    (f32x4.mul
                     (local.get $23)
                     (v128.load
                      (i32.const 128)
                     )
                    )
                   )
                   (f32x4.mul
                    (local.get $23)
                    (v128.load
                     (i32.const 144)
                    )
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
                          (v128.load
                           (i32.const 240)
                          )
                          (local.get $18)
                         )
                         (v128.load
                          (i32.const 224)
                         )
                        )
                        (local.get $18)
                       )
                       (v128.load
                        (i32.const 208)
                       )
                      )
                      (local.get $18)
                     )
                     (v128.load
                      (i32.const 192)
                     )
                    )
                    (local.get $18)
                   )
                   (v128.load
                    (i32.const 176)
                   )
                  )
                 )
                )
               )
               (i32x4.shl
                (i32x4.add
                 (i32x4.sub
                  (local.get $24)
                  (local.get $22)
                 )
                 (v128.load
                  (i32.const 256)
                 )
                )
                (i32.const 23)
               )
              )
              (local.get $21)
             )
            )
           )
           (f32x4.lt
            (local.get $19)
            (v128.load
             (i32.const 480)
            )
           )
          )
          (v128.load
           (i32.const 592)
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
          (local.set $27
           (f32.mul
            (local.tee $26
             (f32.abs
              (local.tee $29
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
            (local.get $26)
           )
          )
          (local.set $28
           (f32.add
            (local.tee $30
             (f32.add
              (f32.mul
               (local.tee $25
                (f32.min
                 (f32.add
                  (local.get $26)
                  (local.get $26)
                 )
                 (f32.const 64)
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
             (local.get $26)
             (f32.mul
              (f32.mul
               (local.get $26)
               (local.get $27)
              )
              (f32.add
               (f32.mul
                (f32.add
                 (f32.mul
                  (f32.add
                   (f32.mul
                    (f32.add
                     (f32.mul
                      (local.get $27)
                      (f32.const -0.005704987328499556)
                     )
                     (f32.const 0.0206390880048275)
                    )
                    (local.get $27)
                   )
                   (f32.const -0.05373971536755562)
                  )
                  (local.get $27)
                 )
                 (f32.const 0.13331441581249237)
                )
                (local.get $27)
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
                (f32.add
                 (f32.add
                  (local.tee $25
                   (f32.sub
                    (f32.sub
                     (local.get $25)
                     (f32.mul
                      (local.get $28)
                      (f32.const 0.693145751953125)
                     )
                    )
                    (f32.mul
                     (local.get $28)
                     (f32.const 1.428606765330187e-06)
                    )
                   )
                  )
                  (f32.mul
                   (f32.mul
                    (local.get $25)
                    (local.get $25)
                   )
                   (f32.add
                    (f32.mul
                     (f32.add
                      (f32.mul
                       (f32.add
                        (f32.mul
                         (f32.add
                          (f32.mul
                           (local.get $25)
                           (f32.const 0.001381455920636654)
                          )
                          (f32.const 0.008368735201656818)
                         )
                         (local.get $25)
                        )
                        (f32.const 0.04166838899254799)
                       )
                       (local.get $25)
                      )
                      (f32.const 0.1666652113199234)
                     )
                     (local.get $25)
                    )
                    (f32.const 0.4999999403953552)
                   )
                  )
                 )
                 (f32.const 1)
                )
                (f32.reinterpret_i32
                 (i32.shl
                  (i32.sub
                   (i32.reinterpret_f32
                    (local.get $30)
                   )
                   (i32.const 1262485377)
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
             (local.get $26)
             (f32.const 0.625)
            )
           )
           (local.get $29)
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
        (i32.const 704)
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
        608,
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
        640,
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
        688,
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
        13152,
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
        13152,
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
        13152,
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
        13152,
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
    13152,
    96,
    0,
    128,
  ],
  "outputs": Array [
    Object {
      "name": "%scan.1",
      "offset": Array [
        13152,
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
        13152,
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
        704,
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
        736,
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
        784,
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
        13152,
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
        13152,
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
  "wasmBytes": 5391,
}
`

exports[`test/lower/wat.test.ts > TAP > elman (I=2, H=3) VJP at -O3 > module text 1`] = `
(module
 (type $0 (func (param i32 i32)))
 (memory $0 1 65536)
 (data $0 (i32.const 66) "\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\d0\\c2\\00\\00\\b2B\\00\\00\\b2B\\00\\00\\b2B\\00\\00\\b2B;\\aa\\b8?;\\aa\\b8?;\\aa\\b8?;\\aa\\b8?\\00\\00@K\\00\\00@K\\00\\00@K\\00\\00@K\\00r1?\\00r1?\\00r1?\\00r1?\\8e\\be\\bf5\\8e\\be\\bf5\\8e\\be\\bf5\\8e\\be\\bf5\\00\\00\\80?\\00\\00\\80?\\00\\00\\80?\\00\\00\\80?\\fe\\ff\\ff>\\fe\\ff\\ff>\\fe\\ff\\ff>\\fe\\ff\\ff>I\\aa*>I\\aa*>I\\aa*>I\\aa*>y\\ac*=y\\ac*=y\\ac*=y\\ac*=\\05\\1d\\t<\\05\\1d\\t<\\05\\1d\\t<\\05\\1d\\t<\\f8\\11\\b5:\\f8\\11\\b5:\\f8\\11\\b5:\\f8\\11\\b5:\\7f\\00\\00\\00\\7f\\00\\00\\00\\7f\\00\\00\\00\\7f\\00\\00\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\00K\\00\\00\\00K\\00\\00\\00K\\00\\00\\00K\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\b8A\\00\\00\\00@\\00\\00\\00@\\00\\00\\00@\\00\\00\\00@\\bd\\aa*?\\bd\\aa*?\\bd\\aa*?\\bd\\aa*?c\\af\\cc>c\\af\\cc>c\\af\\cc>c\\af\\cc>\\fe\\f0\\98>\\fe\\f0\\98>\\fe\\f0\\98>\\fe\\f0\\98>\\00\\00\\00?\\00\\00\\00?\\00\\00\\00?\\00\\00\\00?\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\7f\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\80\\ff\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\00\\00\\c0\\7f\\f3\\045?\\f3\\045?\\f3\\045?\\f3\\045?\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\ff\\ff\\7f\\00\\00\\00 ?\\00\\00 ?\\00\\00 ?\\00\\00 ?\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\99\\aa\\aa\\be\\93\\83\\08>\\93\\83\\08>\\93\\83\\08>\\93\\83\\08>-\\1e\\\\\\bd-\\1e\\\\\\bd-\\1e\\\\\\bd-\\1e\\\\\\bdN\\13\\a9<N\\13\\a9<N\\13\\a9<N\\13\\a9<\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\e7\\f0\\ba\\bb\\00\\00\\80B\\00\\00\\80B\\00\\00\\80B\\00\\00\\80B\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80\\00\\00\\00\\80")
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
      (i32.const 13152)
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
          (i32.add
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
           (i32.const 608)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=12
         (local.get $5)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=20
         (local.get $5)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=28
         (local.get $5)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 608)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 612)
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
          (i32.const 616)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 620)
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
          (i32.const 624)
         )
        )
        (f32.const 0)
       )
       (f32.mul
        (f32.load offset=4
         (local.get $5)
        )
        (f32.load
         (i32.const 628)
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
          (i32.const 688)
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
     (i32.const 13152)
    )
   )
   (i32.const 13152)
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
       (i32.const 13152)
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
              (i32.const 640)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=16
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=20
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=28
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=32
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=40
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=44
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
              (i32.const 640)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 644)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 648)
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
              (i32.const 652)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 656)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 660)
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
              (i32.const 664)
             )
            )
            (f32.const 0)
           )
           (f32.mul
            (f32.load offset=4
             (local.get $2)
            )
            (f32.load
             (i32.const 668)
            )
           )
          )
          (f32.mul
           (f32.load offset=8
            (local.get $2)
           )
           (f32.load
            (i32.const 672)
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
       (i32.const 13152)
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
        (local.set $31
         (f32x4.mul
          (local.tee $32
           (f32x4.abs
            (local.tee $33
             (f32x4.add
              (v128.load align=4
               (i32.add
                (local.get $17)
                (local.tee $7
                 (i32.shl
                  (local.get $2)
                  (i32.const 2)
                 )
                )
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
        (local.set $35
         (f32x4.sub
          (local.tee $37
           (f32x4.add
            (f32x4.mul
             (local.tee $36
              (f32x4.pmin
               (f32x4.add
                (local.get $32)
                (local.get $32)
               )
               (v128.load
                (i32.const 576)
               )
              )
             )
             (v128.load
              (i32.const 96)
             )
            )
            (local.tee $34
             (v128.load
              (i32.const 112)
             )
            )
           )
          )
          (local.get $34)
         )
        )
        (v128.store align=4
         (i32.add
          (local.get $3)
          (local.get $7)
         )
         (v128.bitselect
          (local.get $33)
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
                     (v128.load
                      (i32.const 560)
                     )
                     (local.get $31)
                    )
                    (v128.load
                     (i32.const 544)
                    )
                   )
                   (local.get $31)
                  )
                  (v128.load
                   (i32.const 528)
                  )
                 )
                 (local.get $31)
                )
                (v128.load
                 (i32.const 512)
                )
               )
               (local.get $31)
              )
              (v128.load
               (i32.const 496)
              )
             )
            )
           )
           (f32x4.sub
            (local.tee $33
             (v128.load
              (i32.const 160)
             )
            )
            (f32x4.div
             (v128.load
              (i32.const 320)
             )
             (f32x4.add
              (f32x4.mul
               (f32x4.add
                (local.get $33)
                (f32x4.add
                 (local.tee $31
                  (f32x4.sub
                   (f32x4.sub
                    (local.get $36)
                    (f32x4.mul
                     (local.get $35)
                     (v128.load
                      (i32.const 128)
                     )
                    )
                   )
                   (f32x4.mul
                    (local.get $35)
                    (v128.load
                     (i32.const 144)
                    )
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
                          (v128.load
                           (i32.const 240)
                          )
                          (local.get $31)
                         )
                         (v128.load
                          (i32.const 224)
                         )
                        )
                        (local.get $31)
                       )
                       (v128.load
                        (i32.const 208)
                       )
                      )
                      (local.get $31)
                     )
                     (v128.load
                      (i32.const 192)
                     )
                    )
                    (local.get $31)
                   )
                   (v128.load
                    (i32.const 176)
                   )
                  )
                 )
                )
               )
               (i32x4.shl
                (i32x4.add
                 (i32x4.sub
                  (local.get $37)
                  (local.get $34)
                 )
                 (v128.load
                  (i32.const 256)
                 )
                )
                (i32.const 23)
               )
              )
              (local.get $33)
             )
            )
           )
           (f32x4.lt
            (local.get $32)
            (v128.load
             (i32.const 480)
            )
           )
          )
          (v128.load
           (i32.const 592)
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
                 (f32.add
                  (local.get $22)
                  (local.get $22)
                 )
                 (f32.const 64)
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
                  (i32.sub
                   (i32.reinterpret_f32
                    (local.get $26)
                   )
                   (i32.const 1262485377)
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
        (i32.const 13152)
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
        (i32.const 13152)
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
     (i32.const 13152)
    )
   )
   (i32.add
    (i32.shl
     (local.get $0)
     (i32.const 4)
    )
    (i32.const 13152)
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
       (i32.const 13152)
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
           (v128.load
            (i32.const 160)
           )
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
       (i32.const 13152)
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
         (i32.const 640)
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
           (i32.const 676)
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
         (i32.const 640)
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
           (i32.const 676)
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
       (i32.const 13152)
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
       (i32.const 13152)
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
      (i32.const 608)
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
        (i32.const 632)
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
      (i32.const 608)
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
        (i32.const 632)
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
   (i32.const 13088)
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
           (i32.const 800)
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
           (i32.const 8992)
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
      (i32.const 8992)
     )
     (local.set $3
      (i32.const 800)
     )
     (local.set $8
      (i32.add
       (i32.shl
        (local.get $8)
        (i32.const 5)
       )
       (i32.const 800)
      )
     )
     (local.set $32
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $31
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $34
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $35
      (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
     )
     (local.set $33
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
         (local.tee $38
          (v128.load32_splat
           (local.get $2)
          )
         )
         (local.tee $37
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
         (local.get $38)
         (local.tee $38
          (v128.load offset=16 align=4
           (local.get $3)
          )
         )
        )
       )
      )
      (local.set $34
       (f32x4.add
        (local.get $34)
        (f32x4.mul
         (local.tee $39
          (v128.load32_splat offset=4
           (local.get $2)
          )
         )
         (local.get $37)
        )
       )
      )
      (local.set $35
       (f32x4.add
        (local.get $35)
        (f32x4.mul
         (local.get $39)
         (local.get $38)
        )
       )
      )
      (local.set $33
       (f32x4.add
        (local.get $33)
        (f32x4.mul
         (local.tee $39
          (v128.load32_splat offset=8
           (local.get $2)
          )
         )
         (local.get $37)
        )
       )
      )
      (local.set $36
       (f32x4.add
        (local.get $36)
        (f32x4.mul
         (local.get $39)
         (local.get $38)
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
      (i32.const 13088)
      (f32x4.add
       (v128.load align=4
        (i32.const 13088)
       )
       (local.get $32)
      )
     )
     (f32.store
      (i32.const 13104)
      (f32.add
       (f32.load
        (i32.const 13104)
       )
       (f32x4.extract_lane 0
        (local.get $31)
       )
      )
     )
     (v128.store align=4
      (i32.const 13108)
      (f32x4.add
       (v128.load align=4
        (i32.const 13108)
       )
       (local.get $34)
      )
     )
     (f32.store
      (i32.const 13124)
      (f32.add
       (f32.load
        (i32.const 13124)
       )
       (f32x4.extract_lane 0
        (local.get $35)
       )
      )
     )
     (v128.store align=4
      (i32.const 13128)
      (f32x4.add
       (v128.load align=4
        (i32.const 13128)
       )
       (local.get $33)
      )
     )
     (f32.store
      (i32.const 13144)
      (f32.add
       (f32.load
        (i32.const 13144)
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
     (i32.const 704)
    )
    (i64.load align=1
     (i32.add
      (i32.mul
       (local.get $1)
       (i32.const 20)
      )
      (i32.const 13088)
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
     (i32.const 736)
    )
    (i32.add
     (i32.mul
      (local.get $1)
      (i32.const 20)
     )
     (i32.const 13096)
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
   (i32.const 784)
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
      (i32.const 784)
      (f32.add
       (f32.load
        (i32.const 784)
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
      (i32.const 788)
      (f32.add
       (f32.load
        (i32.const 788)
       )
       (f32.load offset=4
        (local.get $0)
       )
      )
     )
     (f32.store
      (i32.const 792)
      (f32.add
       (f32.load
        (i32.const 792)
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
