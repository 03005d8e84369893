namespace ThunderDb.Net;
