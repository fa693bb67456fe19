/*
** opcodes.h — the bytecode instruction set.
**
** THE CONTRACT between the code generator (engine/sql) and the VM
** (engine/vm): each opcode below has the meaning, operands (P1..P5, P4) and
** jump behaviour that SQLite 3.40 documents for the opcode of the same name
** (https://sqlite.org/opcode.html), unless a comment here says otherwise.
** Register numbers start at 1; cursor numbers at 0.
**
** Shale-specific rules:
**  - An opcode that needs I/O returns SHALE_PENDING out of vdbe_exec() without
**    writing any output register or moving pc; the same opcode runs again on
**    the next step (the async rule in ../../../shared/DESIGN.md).
**  - OP_Column on an index or table cursor decodes the record lazily; the
**    P4 default (P4_MEM) is used when the record has fewer columns.
**  - OP_ParseSchema: P4 is a WHERE clause text (or NULL = reload all); the
**    VM calls back into the SQL layer via db->schema_reload (see
**    ../api/connection.h) rather than knowing about schemas itself.
**  - OP_Program runs a trigger sub-program (P4_SUBPROGRAM).
**
** To add an opcode: add it to the list (append only, keep names as SQLite's
** where SQLite has the same instruction), implement it in vdbe_exec.c, and
** emit it from the code generator.
*/
#ifndef SHALE_OPCODES_H
#define SHALE_OPCODES_H

#define SHALE_OPCODE_LIST(X) \
  X(Noop) X(Explain) X(Init) X(Goto) X(Gosub) X(Return) X(InitCoroutine)      \
  X(EndCoroutine) X(Yield) X(HaltIfNull) X(Halt) X(Once) X(If) X(IfNot)       \
  X(IfPos) X(IfNotZero) X(DecrJumpZero) X(IsNull) X(NotNull) X(IfNullRow)     \
  X(ZeroOrNull) X(Jump) X(Integer) X(Int64) X(Real) X(String8) X(String)      \
  X(BeginSubrtn) X(Null) X(SoftNull) X(Blob) X(Variable) X(Move) X(Copy)     \
  X(SCopy) X(IntCopy) X(ResultRow) X(Concat) X(Add) X(Subtract) X(Multiply)  \
  X(Divide) X(Remainder) X(CollSeq) X(BitAnd) X(BitOr) X(ShiftLeft)          \
  X(ShiftRight) X(AddImm) X(MustBeInt) X(RealAffinity) X(Cast) X(Eq) X(Ne)    \
  X(Lt) X(Le) X(Gt) X(Ge) X(ElseEq) X(Permutation) X(Compare) X(And) X(Or)    \
  X(IsTrue) X(Not) X(BitNot) X(Function) X(PureFunc) X(AggStep) X(AggInverse) \
  X(AggValue) X(AggFinal) X(Column) X(TypeCheck) X(Affinity) X(MakeRecord)   \
  X(Count) X(Savepoint) X(AutoCommit) X(Transaction) X(ReadCookie)           \
  X(SetCookie) X(ReopenIdx) X(OpenRead) X(OpenWrite) X(OpenDup)              \
  X(OpenAutoindex) X(OpenEphemeral) X(SorterOpen) X(SequenceTest)            \
  X(OpenPseudo) X(Close) X(ColumnsUsed) X(SeekLT) X(SeekLE) X(SeekGE)         \
  X(SeekGT) X(SeekScan) X(SeekHit) X(IfNotOpen) X(IfNoHope) X(NoConflict)     \
  X(NotFound) X(Found) X(SeekRowid) X(NotExists) X(Sequence) X(NewRowid)      \
  X(Insert) X(Delete) X(ResetCount) X(SorterCompare) X(SorterData)           \
  X(RowData) X(Rowid) X(NullRow) X(SeekEnd) X(Last) X(IfSmaller)             \
  X(SorterSort) X(Sort) X(Rewind) X(SorterNext) X(Prev) X(Next)              \
  X(SorterInsert) X(IdxInsert) X(IdxDelete) X(DeferredSeek) X(IdxRowid)      \
  X(FinishSeek) X(IdxLE) X(IdxGT) X(IdxLT) X(IdxGE) X(Destroy) X(Clear)      \
  X(ResetSorter) X(CreateBtree) X(SqlExec) X(ParseSchema) X(LoadAnalysis)    \
  X(DropTable) X(DropIndex) X(DropTrigger) X(IntegrityCk) X(RowSetAdd)       \
  X(RowSetRead) X(RowSetTest) X(Program) X(Param) X(FkCounter) X(FkIfZero)   \
  X(MemMax) X(OffsetLimit) X(Checkpoint) X(JournalMode) X(Vacuum)            \
  X(IncrVacuum) X(Expire) X(Pagecount) X(MaxPgcnt) X(ClrSubtype)             \
  X(Abortable) X(ReleaseReg) X(Trace) X(CursorHint) X(VarCheck)          \
  X(VBegin) X(VCreate) X(VDestroy) X(VOpen) X(VFilter) X(VColumn) X(VNext)  \
  X(VRowid) X(VUpdate)

enum {
#define SHALE_OPCODE_ENUM(name) OP_##name,
  SHALE_OPCODE_LIST(SHALE_OPCODE_ENUM)
#undef SHALE_OPCODE_ENUM
  OP__COUNT
};

/* Opcode names for EXPLAIN (vdbe_ops.c). */
extern const char *const shale_opcode_names[OP__COUNT];

/* P5 flags, with SQLite's meanings. */
#define OPFLAG_NCHANGE 0x01      /* OP_Insert/Delete: count the change */
#define OPFLAG_NOCHNG 0x01       /* OP_Column: value unchanged (UPDATE) */
#define OPFLAG_EPHEM 0x01        /* OP_Column: ephemeral result */
#define OPFLAG_LASTROWID 0x20    /* OP_Insert: set last_insert_rowid */
#define OPFLAG_ISUPDATE 0x04     /* OP_Insert: this is an UPDATE */
#define OPFLAG_APPEND 0x08       /* OP_Insert: likely an append */
#define OPFLAG_USESEEKRESULT 0x10
#define OPFLAG_ISNOOP 0x40       /* OP_Delete: pre-update hook only */
#define OPFLAG_LENGTHARG 0x40    /* OP_Column: only length() needed */
#define OPFLAG_TYPEOFARG 0x80    /* OP_Column: only typeof() needed */
#define OPFLAG_BULKCSR 0x01      /* OP_Open*: bulk load hint */
#define OPFLAG_SEEKEQ 0x02       /* OP_Open*: only equality seeks */
#define OPFLAG_FORDELETE 0x08
#define OPFLAG_P2ISREG 0x10      /* OP_Open*: P2 is a register with the root */
#define OPFLAG_PERMUTE 0x01      /* OP_Compare: use OP_Permutation */
#define OPFLAG_SAVEPOSITION 0x02 /* OP_Delete/Insert */
#define OPFLAG_AUXDELETE 0x04    /* OP_Delete */
#define OPFLAG_NOCHNG_MAGIC 0x6d /* OP_MakeRecord */
#define OPFLAG_PREFORMAT 0x80

/* Comparison P5 (OP_Eq .. OP_Ge): affinity in the low bits, then flags. */
#define SQLITE_AFF_NONE 0x40 /* '@' */
#define SQLITE_AFF_BLOB 0x41 /* 'A' */
#define SQLITE_AFF_TEXT 0x42 /* 'B' */
#define SQLITE_AFF_NUMERIC 0x43 /* 'C' */
#define SQLITE_AFF_INTEGER 0x44 /* 'D' */
#define SQLITE_AFF_REAL 0x45 /* 'E' */
#define SQLITE_AFF_MASK 0x47
#define SQLITE_KEEPNULL 0x08  /* Used by vector == or <> */
#define SQLITE_JUMPIFNULL 0x10 /* jumps if either operand is NULL */
#define SQLITE_STOREP2 0x20   /* (not used in 3.40; kept for completeness) */
#define SQLITE_NULLEQ 0x80    /* NULL=NULL (IS / IS NOT) */
#define SQLITE_NOTNULL 0x90   /* Assert that operands are never NULL */

#endif
