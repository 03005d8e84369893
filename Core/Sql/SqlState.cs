namespace ThunderDb.Core.Sql;

/// <summary>
/// The SQLSTATE codes the engine raises (PostgreSQL's Appendix A). Each front end renders them: PostgreSQL
/// sends the code itself, MySQL maps it to an error number.
/// </summary>
public static class SqlState
{
    public const string SyntaxError = "42601";
    public const string UndefinedTable = "42P01";
    public const string UndefinedColumn = "42703";
    public const string UndefinedFunction = "42883";
    public const string UndefinedObject = "42704";
    public const string DuplicateTable = "42P07";
    public const string DuplicateColumn = "42701";
    public const string DuplicateObject = "42710";
    public const string InvalidName = "42602";
    public const string InsufficientPrivilege = "42501";
    public const string ReservedName = "42939";
    public const string ObjectNotInPrerequisiteState = "55000";
    public const string ObjectInUse = "55006";
    public const string DuplicateAlias = "42712";
    public const string DuplicateDatabase = "42P04";
    public const string DuplicateSchema = "42P06";
    public const string InvalidCatalogName = "3D000";
    public const string InvalidSchemaName = "3F000";
    public const string DependentObjectsStillExist = "2BP01";
    public const string WrongObjectType = "42809";
    public const string AmbiguousColumn = "42702";
    public const string DatatypeMismatch = "42804";
    public const string GroupingError = "42803";
    public const string InvalidColumnReference = "42P10";
    public const string FeatureNotSupported = "0A000";
    public const string InvalidTextRepresentation = "22P02";
    public const string InvalidBinaryRepresentation = "22P03";
    public const string NumericValueOutOfRange = "22003";
    public const string UntranslatableCharacter = "22P05";
    public const string DivisionByZero = "22012";
    public const string StringDataRightTruncation = "22001";
    public const string InvalidDatetimeFormat = "22007";
    public const string DatetimeFieldOverflow = "22008";
    public const string IntervalFieldOverflow = "22015";
    public const string CannotCoerce = "42846";
    public const string NotNullViolation = "23502";
    public const string UniqueViolation = "23505";
    public const string ForeignKeyViolation = "23503";
    public const string CheckViolation = "23514";
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";
    public const string LockNotAvailable = "55P03";
    public const string InFailedTransaction = "25P02";
    public const string ActiveTransaction = "25001";
    public const string NoActiveTransaction = "25P01";
    public const string ReadOnlyTransaction = "25006";
    public const string QueryCanceled = "57014";
    public const string ProgramLimitExceeded = "54000";
    public const string StackDepthLimitExceeded = "54001";
    public const string DiskFull = "53100";
    public const string InternalError = "XX000";
    public const string CardinalityViolation = "21000";
    public const string InvalidParameterValue = "22023";
    public const string InvalidTableDefinition = "42P16";
    public const string InvalidObjectDefinition = "42P17";
    public const string GeneratedAlways = "428C9";
    public const string ArraySubscriptError = "2202E";
    public const string NullValueNotAllowed = "22004";
    public const string InvalidRegularExpression = "2201B";
    public const string BadCopyFileFormat = "22P04";
    public const string CharacterNotInRepertoire = "22021";
    public const string ProtocolViolation = "08P01";
    public const string ConnectionFailure = "08006";
}
