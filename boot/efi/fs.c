/* Reading files from the loader's own volume (SimpleFileSystem). */
#include "fs.h"
#include "con.h"
#include "cfg.h"

EFI_STATUS fs_open_root(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE *root)
{
    EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    EFI_LOADED_IMAGE *li = NULL;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
    EFI_STATUS st;

    st = bs->HandleProtocol(image, &li_guid, (void **)&li);
    if (EFI_ERROR(st)) {
        fail(st, "get LoadedImage protocol");
        return st;
    }
    st = bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&sfs);
    if (EFI_ERROR(st)) {
        fail(st, "get SimpleFileSystem of the boot volume");
        return st;
    }
    st = sfs->OpenVolume(sfs, root);
    if (EFI_ERROR(st)) {
        fail(st, "open the boot volume");
        return st;
    }
    return EFI_SUCCESS;
}

EFI_STATUS fs_open(EFI_FILE_HANDLE root, const char *what, const char *path,
                   EFI_FILE_HANDLE *file, UINT64 *size)
{
    CHAR16 wpath[CFG_PATH_MAX];
    EFI_GUID info_guid = EFI_FILE_INFO_ID;
    /* EFI_FILE_INFO plus a file name of up to CFG_PATH_MAX CHAR16s. */
    union {
        EFI_FILE_INFO info;
        UINT8 raw[SIZE_OF_EFI_FILE_INFO + sizeof(CHAR16) * (CFG_PATH_MAX + 8)];
    } u;
    UINTN usize = sizeof(u);
    EFI_STATUS st;
    unsigned i;

    *file = NULL;
    *size = 0;
    for (i = 0; path[i] && i + 1 < CFG_PATH_MAX; i++)
        wpath[i] = (CHAR16)(unsigned char)(path[i] == '/' ? '\\' : path[i]);
    wpath[i] = 0;

    st = root->Open(root, file, wpath, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st)) {
        *file = NULL;
        fail(st, "open %s %s", what, path);
        return st;
    }
    st = (*file)->GetInfo(*file, &info_guid, &usize, &u);
    if (EFI_ERROR(st)) {
        fail(st, "get size of %s %s", what, path);
        fs_close(*file);
        *file = NULL;
        return st;
    }
    if (u.info.Attribute & EFI_FILE_DIRECTORY) {
        st = EFI_NOT_FOUND;
        fail(st, "open %s %s: is a directory", what, path);
        fs_close(*file);
        *file = NULL;
        return st;
    }
    *size = u.info.FileSize;
    return EFI_SUCCESS;
}

EFI_STATUS fs_read(EFI_FILE_HANDLE file, const char *what, const char *path,
                   void *buf, UINT64 size)
{
    UINT8 *p = buf;
    UINT64 done = 0;
    EFI_STATUS st;

    st = file->SetPosition(file, 0);
    if (EFI_ERROR(st)) {
        fail(st, "read %s %s", what, path);
        return st;
    }
    while (done < size) {
        /* Chunks keep each firmware call short and UINTN-safe. */
        UINTN chunk = size - done > (1u << 24) ? (1u << 24) : (UINTN)(size - done);
        st = file->Read(file, &chunk, p + done);
        if (EFI_ERROR(st)) {
            fail(st, "read %s %s", what, path);
            return st;
        }
        if (chunk == 0) {
            st = EFI_END_OF_FILE;
            fail(st, "read %s %s: file shorter than its size", what, path);
            return st;
        }
        done += chunk;
    }
    return EFI_SUCCESS;
}

void fs_close(EFI_FILE_HANDLE file)
{
    if (file)
        file->Close(file);
}
