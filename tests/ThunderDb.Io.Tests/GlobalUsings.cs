global using ThunderDb.TestSupport;
