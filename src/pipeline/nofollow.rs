//! Folders of the output folder opened one part at a time without
//! following a symbolic link, and the files in them made, renamed, read
//! and removed relative to the open folder.
//!
//! The output folder may be shared: someone else may put a link where a
//! folder of the site was (`partners -> /home/them`). A write or a removal
//! that went by path would follow it and land outside the site. Here every
//! folder below the output folder is opened with `O_NOFOLLOW`, and every
//! later step names its file relative to that open folder, so a link
//! swapped in after the check is not followed either.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What is at a name in a folder, not following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file, with its length.
    File(u64),
    Folder,
    /// A symbolic link, a socket, a device…: never written through.
    Other,
}

/// An error naming the link that was not followed.
pub fn link_refused(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{}: a symbolic link, or not a folder; rapport does not write or delete through links in the output folder (remove it, or choose another folder)",
        path.display()
    ))
}

#[cfg(unix)]
mod imp {
    use super::*;
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};

    /// An open folder.
    pub struct Dir {
        fd: OwnedFd,
        path: PathBuf,
    }

    fn c_name(name: &OsStr) -> io::Result<CString> {
        CString::new(name.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
    }

    fn check(r: libc::c_int) -> io::Result<libc::c_int> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r)
        }
    }

    impl Dir {
        /// Opens the output folder itself (its path is already resolved).
        pub fn open(path: &Path) -> io::Result<Dir> {
            let c = c_name(path.as_os_str())?;
            // SAFETY: `c` is a valid C string; the result is checked.
            let fd = check(unsafe {
                libc::open(
                    c.as_ptr(),
                    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
                )
            })?;
            Ok(Dir {
                // SAFETY: `fd` was just opened and is owned here alone.
                fd: unsafe { OwnedFd::from_raw_fd(fd) },
                path: path.to_path_buf(),
            })
        }

        /// Opens the folder `name` in this one; a link is refused.
        pub fn child(&self, name: &OsStr) -> io::Result<Dir> {
            let c = c_name(name)?;
            let path = self.path.join(name);
            // SAFETY: valid fd and C string; the result is checked.
            let fd = unsafe {
                libc::openat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                )
            };
            match check(fd) {
                Ok(fd) => Ok(Dir {
                    // SAFETY: `fd` was just opened and is owned here alone.
                    fd: unsafe { OwnedFd::from_raw_fd(fd) },
                    path,
                }),
                Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR)) => {
                    Err(link_refused(&path))
                }
                Err(e) => Err(e),
            }
        }

        /// Makes the folder `name` here; `false` when something is already
        /// there.
        pub fn make(&self, name: &OsStr) -> io::Result<bool> {
            let c = c_name(name)?;
            // SAFETY: valid fd and C string; the result is checked.
            match check(unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o777) }) {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            }
        }

        /// What is at `name`, not following a link; `None` when nothing.
        pub fn kind(&self, name: &OsStr) -> io::Result<Option<Kind>> {
            let c = c_name(name)?;
            // SAFETY: `stat` is plain data, filled in by fstatat.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: valid fd, C string and out pointer.
            let r = unsafe {
                libc::fstatat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    &mut st,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            match check(r) {
                Ok(_) => Ok(Some(match st.st_mode & libc::S_IFMT {
                    libc::S_IFREG => Kind::File(st.st_size as u64),
                    libc::S_IFDIR => Kind::Folder,
                    _ => Kind::Other,
                })),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        }

        fn open_at(&self, name: &OsStr, flags: libc::c_int) -> io::Result<File> {
            let c = c_name(name)?;
            // SAFETY: valid fd and C string; the result is checked.
            let fd = check(unsafe {
                libc::openat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                    0o666 as libc::c_uint,
                )
            })?;
            // SAFETY: `fd` was just opened and is owned here alone.
            Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
        }

        /// Makes a new file `name` here (never through a link).
        pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
            self.open_at(name, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL)
        }

        /// Opens the file `name` here to read it (never through a link).
        pub fn open_read(&self, name: &OsStr) -> io::Result<File> {
            self.open_at(name, libc::O_RDONLY)
        }

        /// Reads the regular file `name` here (never through a link).
        pub fn read(&self, name: &OsStr) -> io::Result<Vec<u8>> {
            let mut f = self.open_at(name, libc::O_RDONLY)?;
            let mut bytes = Vec::new();
            io::Read::read_to_end(&mut f, &mut bytes)?;
            Ok(bytes)
        }

        /// Renames `from` to `to`, both in this folder.
        pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            let (f, t) = (c_name(from)?, c_name(to)?);
            let fd = self.fd.as_raw_fd();
            // SAFETY: valid fds and C strings; the result is checked.
            check(unsafe { libc::renameat(fd, f.as_ptr(), fd, t.as_ptr()) }).map(drop)
        }

        /// Removes the file (or link) `name` here.
        pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            let c = c_name(name)?;
            // SAFETY: valid fd and C string; the result is checked.
            check(unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0) }).map(drop)
        }

        /// Removes the empty folder `name` here.
        pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
            let c = c_name(name)?;
            // SAFETY: valid fd and C string; the result is checked.
            check(unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), libc::AT_REMOVEDIR) })
                .map(drop)
        }

        /// The names in this folder.
        pub fn names(&self) -> io::Result<Vec<OsString>> {
            // SAFETY: dup of a valid fd; the copy is handed to fdopendir,
            // which owns it until closedir.
            let copy =
                check(unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) })?;
            // SAFETY: `copy` is a valid folder fd.
            let dir = unsafe { libc::fdopendir(copy) };
            if dir.is_null() {
                let e = io::Error::last_os_error();
                // SAFETY: `copy` is still ours when fdopendir failed.
                unsafe { libc::close(copy) };
                return Err(e);
            }
            // SAFETY: the stream starts at the folder's first entry even
            // when the fd was read before.
            unsafe { libc::rewinddir(dir) };
            let mut names = Vec::new();
            loop {
                // SAFETY: `dir` is an open stream.
                let entry = unsafe { libc::readdir(dir) };
                if entry.is_null() {
                    break;
                }
                // SAFETY: readdir gives a NUL-terminated name.
                let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
                let bytes = name.to_bytes();
                if bytes != b"." && bytes != b".." {
                    names.push(OsString::from_vec(bytes.to_vec()));
                }
            }
            // SAFETY: `dir` is open; this closes `copy` too.
            unsafe { libc::closedir(dir) };
            Ok(names)
        }

        /// The folder's path, for messages.
        pub fn path(&self) -> &Path {
            &self.path
        }
    }
}

#[cfg(not(unix))]
mod imp {
    //! Elsewhere, by path, with each part looked at first (not safe from a
    //! link swapped in between).
    use super::*;

    pub struct Dir {
        path: PathBuf,
    }

    impl Dir {
        pub fn open(path: &Path) -> io::Result<Dir> {
            std::fs::read_dir(path)?;
            Ok(Dir {
                path: path.to_path_buf(),
            })
        }
        pub fn child(&self, name: &OsStr) -> io::Result<Dir> {
            let path = self.path.join(name);
            let m = std::fs::symlink_metadata(&path)?;
            if !m.is_dir() {
                return Err(link_refused(&path));
            }
            Ok(Dir { path })
        }
        pub fn make(&self, name: &OsStr) -> io::Result<bool> {
            match std::fs::create_dir(self.path.join(name)) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            }
        }
        pub fn kind(&self, name: &OsStr) -> io::Result<Option<Kind>> {
            match std::fs::symlink_metadata(self.path.join(name)) {
                Ok(m) if m.is_file() => Ok(Some(Kind::File(m.len()))),
                Ok(m) if m.is_dir() => Ok(Some(Kind::Folder)),
                Ok(_) => Ok(Some(Kind::Other)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        }
        pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path.join(name))
        }
        pub fn open_read(&self, name: &OsStr) -> io::Result<File> {
            File::open(self.path.join(name))
        }
        pub fn read(&self, name: &OsStr) -> io::Result<Vec<u8>> {
            std::fs::read(self.path.join(name))
        }
        pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            std::fs::rename(self.path.join(from), self.path.join(to))
        }
        pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            std::fs::remove_file(self.path.join(name))
        }
        pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
            std::fs::remove_dir(self.path.join(name))
        }
        pub fn names(&self) -> io::Result<Vec<OsString>> {
            std::fs::read_dir(&self.path)?
                .map(|e| e.map(|e| e.file_name()))
                .collect()
        }
        pub fn path(&self) -> &Path {
            &self.path
        }
    }
}

pub use imp::Dir;

/// The folder `rel` (parts split by `/`) under `root`, opened part by
/// part without following a link.
pub fn open_under(root: &Dir, rel: &str) -> io::Result<Dir> {
    let mut parts = rel.split('/').filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return Dir::open(root.path());
    };
    let mut dir = root.child(OsStr::new(first))?;
    for part in parts {
        dir = dir.child(OsStr::new(part))?;
    }
    Ok(dir)
}

/// Removes the file at `rel` under `root` when it is a regular file
/// reached without following a link; anything else is left alone.
/// Says whether it removed one.
pub fn remove_regular(root: &Dir, rel: &str) -> io::Result<bool> {
    let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let dir = match open_under(root, folder) {
        Ok(d) => d,
        // A folder that is gone or is a link: nothing of ours is there.
        Err(_) => return Ok(false),
    };
    let name = OsStr::new(name);
    match dir.kind(name)? {
        Some(Kind::File(_)) => match dir.remove_file(name) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        },
        _ => Ok(false),
    }
}
